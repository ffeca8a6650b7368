import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsRFC3339 } from 'class-validator';

import type { FieldProblem } from '../../common/errors/app-error.js';
import { PageQuery } from '../../common/http/page.query.js';
import type { CrossFieldChecks } from '../../common/http/validation.pipe.js';
import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '../audit-log.entity.js';
import type { AuditAction, AuditOutcome } from '../audit-log.entity.js';

const RFC3339 = 'must be an RFC 3339 date-time with a time zone, e.g. 2025-01-31T12:00:00Z';

export class ListAuditLogsQuery extends PageQuery implements CrossFieldChecks {
  @ApiPropertyOptional({ format: 'date-time', description: 'Entries at or after this time.' })
  @IsOptional()
  @IsRFC3339({ message: RFC3339 })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Entries before this time.' })
  @IsOptional()
  @IsRFC3339({ message: RFC3339 })
  to?: string;

  @ApiPropertyOptional({ enum: AUDIT_ACTIONS })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS, { message: `must be one of ${AUDIT_ACTIONS.join(', ')}` })
  action?: AuditAction;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES, { message: `must be one of ${AUDIT_OUTCOMES.join(', ')}` })
  outcome?: AuditOutcome;

  crossFieldProblems(): FieldProblem[] {
    if (this.from === undefined || this.to === undefined) return [];
    if (Date.parse(this.from) <= Date.parse(this.to)) return [];

    return [{ field: 'to', message: 'must not be earlier than from' }];
  }
}
