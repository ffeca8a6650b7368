import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { Repository } from 'typeorm';

import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { ProcessorChargeEntity } from './processor-charge.entity.js';
import { ProcessorTransientError } from './processor.port.js';
import type { ChargeRequest, ChargeResult, PaymentProcessor } from './processor.port.js';

const DECLINE_REASON = 'card_declined';

/**
 * A simulated card network. Its ledger is a table shared by every instance, so a charge
 * is recorded once per processor key however many instances ask. Latency and a random
 * transient failure rate come from configuration; `simulate` forces an outcome.
 */
@Injectable()
export class SimulatedProcessor implements PaymentProcessor {
  constructor(
    @InjectRepository(ProcessorChargeEntity)
    private readonly ledger: Repository<ProcessorChargeEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Half the latency is spent before the network records the charge and half after, so a
   * caller that dies or times out mid-call may leave a charge it never heard about: the case
   * processor idempotency keys and reconciliation exist for.
   */
  async charge(request: ChargeRequest, signal?: AbortSignal): Promise<ChargeResult> {
    const halfLatency = this.config.processor.latencyMs / 2;
    await this.delay(halfLatency, signal);
    if (request.simulate === 'error' || Math.random() < this.config.processor.failureRate) {
      throw new ProcessorTransientError('simulated processor failure');
    }

    const result = await this.record(request);
    if (request.simulate === 'timeout') await this.hangUntilAborted(signal);
    await this.delay(halfLatency, signal);

    return result;
  }

  async lookup(processorKey: string): Promise<ChargeResult | null> {
    const row = await this.ledger.findOne({ where: { processorKey } });

    return row ? this.toResult(row) : null;
  }

  private async record(request: ChargeRequest): Promise<ChargeResult> {
    const outcome = request.simulate === 'decline' ? 'declined' : 'succeeded';
    await this.ledger
      .createQueryBuilder()
      .insert()
      .values({
        processorKey: request.processorKey,
        amountMinor: request.amountMinor,
        currency: request.currency,
        outcome,
        reference: () => 'gen_random_uuid()',
        createdAt: () => 'now()',
      })
      .orIgnore()
      .execute();

    const row = await this.ledger.findOneOrFail({ where: { processorKey: request.processorKey } });

    return this.toResult(row);
  }

  private toResult(row: ProcessorChargeEntity): ChargeResult {
    if (row.outcome === 'declined') {
      return { outcome: 'declined', reference: row.reference, reason: DECLINE_REASON };
    }

    return { outcome: 'succeeded', reference: row.reference };
  }

  private async delay(ms: number, signal?: AbortSignal): Promise<void> {
    if (ms > 0) await sleep(ms, undefined, { signal });
  }

  /** The charge went through but the answer never comes back before the caller gives up. */
  private async hangUntilAborted(signal?: AbortSignal): Promise<never> {
    await sleep(this.config.processor.timeoutMs * 4, undefined, { signal });
    throw new ProcessorTransientError('simulated processor answered too late');
  }
}
