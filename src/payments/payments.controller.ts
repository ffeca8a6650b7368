import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { requirePrincipal } from '../auth/principal.js';
import { NotFoundError } from '../common/errors/request-errors.js';
import { ApiProblemResponses } from '../common/http/api-problem.decorator.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { Idempotent } from '../idempotency/idempotent.decorator.js';
import { Operation } from '../idempotency/resumable-operation.js';
import type { ResumableOperation } from '../idempotency/resumable-operation.js';
import type { StoredResponse } from '../idempotency/stored-response.js';
import { writeStoredResponse } from '../idempotency/stored-response.writer.js';
import { RateLimit } from '../rate-limiting/rate-limit.decorator.js';
import { CreatePaymentDto } from './dto/create-payment.dto.js';
import { ListPaymentsQuery } from './dto/list-payments.query.js';
import { PaymentPage, PaymentView } from './dto/payment.view.js';
import { paymentCommandFor } from './payment-command.js';
import { toView } from './payment.responses.js';
import { PaymentsRepository } from './payments.repository.js';
import { PaymentsService } from './payments.service.js';

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
  @ApiOperation({
    operationId: 'createPayment',
    summary: 'Create a payment, exactly once per Idempotency-Key',
  })
  @ApiCreatedResponse({
    type: PaymentView,
    description: 'Created (or replayed, with Idempotent-Replayed: true).',
    headers: {
      Location: { description: '/api/v1/payments/{transaction_id}', schema: { type: 'string' } },
      'Idempotent-Replayed': {
        description: 'true when this is a stored response replayed for a repeated key',
        schema: { type: 'string', enum: ['true', 'false'] },
      },
    },
  })
  @ApiProblemResponses(400, 401, 402, 409, 413, 415, 422, 429, 503)
  async create(
    @Body() body: CreatePaymentDto,
    @Operation() operation: ResumableOperation,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<StoredResponse> {
    const stored = await this.payments.create(
      paymentCommandFor(request, body, operation, {
        simulationEnabled: this.config.simulationEnabled,
        action: 'payment.create',
      }),
    );
    writeStoredResponse(response, stored, false);

    return stored;
  }

  @Get(':transaction_id')
  @ApiOperation({ operationId: 'getPayment', summary: 'One of the caller’s payments' })
  @ApiOkResponse({ type: PaymentView })
  @ApiProblemResponses(401, 404, 429)
  async findOne(@Param('transaction_id') id: string, @Req() request: Request) {
    const { accountId } = requirePrincipal(request);
    const payment = UUID.test(id) ? await this.repository.findOwned(accountId, id) : null;
    if (!payment) throw new NotFoundError('No such payment.');

    return toView(payment);
  }

  @Get()
  @ApiOperation({ operationId: 'listPayments', summary: 'The caller’s payments, newest first' })
  @ApiOkResponse({ type: PaymentPage })
  @ApiProblemResponses(400, 401, 429)
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
}
