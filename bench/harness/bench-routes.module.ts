import { randomUUID } from 'node:crypto';

import { Body, Controller, Get, Module, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';

import type { ResumableOperation } from '../../src/idempotency/resumable-operation.js';
import { CreatePaymentDto } from '../../src/payments/dto/create-payment.dto.js';
import { PaymentsModule } from '../../src/payments/payments.module.js';
import { PaymentsService } from '../../src/payments/payments.service.js';

const BENCH_ACCOUNT = 'bench-bare';

/** An operation with no key behind it: the same payment work, none of the idempotency work. */
function unguardedOperation(): ResumableOperation {
  return {
    resourceId: randomUUID(),
    recoveryPoint: 'started',
    clientKey: 'bench-unguarded-operation',
    checkpoint: async () => undefined,
    complete: async () => undefined,
  };
}

/**
 * Comparison routes for the benchmark, mounted beside the real API in the real application:
 * a route that does nothing, and one that creates a payment without idempotency.
 */
@Controller('bench')
class BenchRoutesController {
  constructor(private readonly payments: PaymentsService) {}

  @Get('unguarded')
  unguarded() {
    return { ok: true };
  }

  @Post('bare-payment')
  async barePayment(
    @Body() body: CreatePaymentDto,
    @Req() request: Request,
    @Res() response: Response,
  ) {
    const stored = await this.payments.create({
      accountId: BENCH_ACCOUNT,
      body,
      operation: unguardedOperation(),
      simulationEnabled: false,
      audit: {
        entryFor: (payment, result) => ({
          accountId: BENCH_ACCOUNT,
          action: 'payment.create',
          outcome: 'created',
          statusCode: result.status,
          requestId: String((request as Request & { id?: string }).id ?? ''),
          ip: request.ip ?? null,
          method: 'POST',
          path: '/bench/bare-payment',
          idempotencyKey: null,
          transactionId: payment.id,
          latencyMs: 0,
        }),
        committed: () => undefined,
      },
    });

    response.status(stored.status).set(stored.headers).end(stored.body);
  }
}

@Module({ imports: [PaymentsModule], controllers: [BenchRoutesController] })
export class BenchRoutesModule {}
