import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { auditContextOf, entryFor } from '../audit/audit-context.js';
import { requirePrincipal } from '../auth/principal.js';
import { NotFoundError } from '../common/errors/request-errors.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { Operation } from '../idempotency/resumable-operation.js';
import type { ResumableOperation } from '../idempotency/resumable-operation.js';
import { writeStoredResponse } from '../idempotency/stored-response.writer.js';
import { RateLimit } from '../rate-limiting/rate-limit.decorator.js';
import { CreatePaymentDto } from './dto/create-payment.dto.js';
import { ListPaymentsQuery } from './dto/list-payments.query.js';
import { PaymentPage, PaymentView } from './dto/payment.view.js';
import type { PaymentEntity } from './payment.entity.js';
import { toView } from './payment.responses.js';
import { PaymentsRepository } from './payments.repository.js';
import { PaymentsService } from './payments.service.js';
import type { CreatePaymentCommand } from './payments.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@ApiTags('payments')
@ApiBearerAuth()
@Controller('api/v1/payments')
export class PaymentsController {
  constructor(
    private readonly payments: PaymentsService,
    private readonly repository: PaymentsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @RateLimit({ scope: 'endpoint' })
  @Idempotent({ body: CreatePaymentDto })
  @ApiOperation({ summary: 'Create a payment, exactly once per Idempotency-Key' })
  @ApiCreatedResponse({ type: PaymentView, description: 'Created (or replayed).' })
  async create(
    @Body() body: CreatePaymentDto,
    @Operation() operation: ResumableOperation,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const stored = await this.payments.create(this.commandFor(request, body, operation));

    writeStoredResponse(response, stored, false);
  }

  @Get(':transaction_id')
  @ApiOperation({ summary: 'One of the caller’s payments' })
  @ApiOkResponse({ type: PaymentView })
  async findOne(@Param('transaction_id') id: string, @Req() request: Request) {
    const { accountId } = requirePrincipal(request);
    const payment = UUID.test(id) ? await this.repository.findOwned(accountId, id) : null;
    if (!payment) throw new NotFoundError('No such payment.');

    return toView(payment);
  }

  @Get()
  @ApiOperation({ summary: 'The caller’s payments, newest first' })
  @ApiOkResponse({ type: PaymentPage })
  async list(@Query() query: ListPaymentsQuery, @Req() request: Request): Promise<PaymentPage> {
    const { accountId } = requirePrincipal(request);
    const page = await this.repository.page({
      accountId,
      limit: query.limit ?? 50,
      cursor: query.cursor,
      status: query.status,
    });

    return { data: page.items.map(toView), next_cursor: page.next };
  }

  private commandFor(
    request: Request,
    body: CreatePaymentDto,
    operation: ResumableOperation,
  ): CreatePaymentCommand {
    const audit = auditContextOf(request);
    const auditEntry = audit
      ? (payment: PaymentEntity, stored: { status: number }) => {
          audit.recorded = true;
          const outcome = stored.status === 402 ? 'declined' : 'created';
          return entryFor(request, audit, {
            outcome,
            statusCode: stored.status,
            transactionId: payment.id,
          });
        }
      : null;

    return {
      accountId: requirePrincipal(request).accountId,
      body,
      operation,
      simulationEnabled: this.config.simulationEnabled,
      auditEntry,
    };
  }
}
