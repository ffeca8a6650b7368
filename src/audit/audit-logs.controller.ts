import { Controller, Get, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';

import { requirePrincipal } from '../auth/principal.js';
import { ApiProblemResponses } from '../common/http/api-problem.decorator.js';
import { decodeAuditCursor } from './audit-cursor.js';
import { AuditLogRepository } from './audit-log.repository.js';
import { AuditLogPage } from './dto/audit-log.view.js';
import { ListAuditLogsQuery } from './dto/list-audit-logs.query.js';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit-logs')
export class AuditLogsController {
  constructor(private readonly repository: AuditLogRepository) {}

  @Get()
  @ApiOperation({
    operationId: 'listAuditLogs',
    summary: 'The caller’s own audit entries, newest first',
  })
  @ApiOkResponse({ type: AuditLogPage })
  @ApiProblemResponses(400, 401, 429)
  async list(@Query() query: ListAuditLogsQuery, @Req() request: Request): Promise<AuditLogPage> {
    const { accountId } = requirePrincipal(request);
    const page = await this.repository.page({
      accountId,
      limit: query.limit ?? 50,
      cursor: query.cursor === undefined ? undefined : decodeAuditCursor(query.cursor),
      from: query.from,
      to: query.to,
      action: query.action,
      outcome: query.outcome,
    });

    return { data: page.items, next_cursor: page.next };
  }
}
