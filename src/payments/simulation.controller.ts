import { Body, Controller, HttpCode, Inject, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';

import { requirePrincipal } from '../auth/principal.js';
import { ApiProblemResponses } from '../common/http/api-problem.decorator.js';
import { AppError } from '../common/errors/app-error.js';
import { NotFoundError } from '../common/errors/request-errors.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { requestFingerprint } from '../idempotency/fingerprint.js';
import { parseIdempotencyKey } from '../idempotency/idempotency-key.js';
import { IdempotentExecutor } from '../idempotency/idempotent-executor.js';
import type { ExecutionResult } from '../idempotency/idempotent-executor.js';
import { RateLimit } from '../rate-limiting/rate-limit.decorator.js';
import { CreatePaymentDto } from './dto/create-payment.dto.js';
import {
  SimulateConcurrentQuery,
  SimulateConcurrentResult,
} from './dto/simulate-concurrent.dto.js';
import type { SimulatedAttempt } from './dto/simulate-concurrent.dto.js';
import { paymentCommandFor } from './payment-command.js';
import { PAYMENTS_PATH } from './payment.responses.js';
import { PaymentsService } from './payments.service.js';

function attemptOf(outcome: PromiseSettledResult<ExecutionResult>): SimulatedAttempt {
  if (outcome.status === 'rejected') {
    const status = outcome.reason instanceof AppError ? outcome.reason.status : 500;
    return { status, transaction_id: null, replayed: false };
  }

  const { response, replayed } = outcome.value;
  const body = JSON.parse(response.body) as { transaction_id?: string };

  return { status: response.status, transaction_id: body.transaction_id ?? null, replayed };
}

function summarize(attempts: SimulatedAttempt[]): SimulateConcurrentResult {
  const ids = new Set(attempts.map((a) => a.transaction_id).filter((id) => id !== null));

  return {
    concurrent_count: attempts.length,
    created: attempts.filter((a) => !a.replayed && a.transaction_id !== null).length,
    replayed: attempts.filter((a) => a.replayed).length,
    conflicts: attempts.filter((a) => a.status === 409 || a.status === 422).length,
    unique_transaction_ids: ids.size,
    results: attempts,
  };
}

/**
 * Fires copies of one payment request at once through the same idempotent path as
 * POST /api/v1/payments, to show that concurrency cannot charge twice. Exists only while
 * simulation is enabled.
 */
@ApiTags('simulation')
@ApiBearerAuth()
@Controller('api/v1/simulate-concurrent')
export class SimulationController {
  constructor(
    private readonly executor: IdempotentExecutor,
    private readonly payments: PaymentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @RateLimit({ scope: 'endpoint' })
  @ApiOperation({
    operationId: 'simulateConcurrentPayments',
    summary: 'Race copies of a payment request against each other',
  })
  @ApiProblemResponses(400, 401, 404, 429)
  @ApiHeader({ name: 'Idempotency-Key', required: true })
  @ApiOkResponse({ type: SimulateConcurrentResult })
  async simulate(
    @Query() query: SimulateConcurrentQuery,
    @Body() body: CreatePaymentDto,
    @Req() request: Request,
  ): Promise<SimulateConcurrentResult> {
    if (!this.config.simulationEnabled) throw new NotFoundError();

    const key = parseIdempotencyKey(request.headers['idempotency-key']);
    const claim = {
      accountId: requirePrincipal(request).accountId,
      key,
      fingerprint: requestFingerprint('POST', PAYMENTS_PATH, request.body),
    };
    const copies = Array.from({ length: query.concurrent_count ?? 10 }, () =>
      this.executor.execute(claim, (operation) =>
        this.payments.create(
          paymentCommandFor(request, body, operation, {
            simulationEnabled: true,
            action: 'payment.simulate_concurrent',
          }),
        ),
      ),
    );

    return summarize((await Promise.allSettled(copies)).map(attemptOf));
  }
}
