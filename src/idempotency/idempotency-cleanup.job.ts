import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

import { IdempotencyService } from './idempotency.service.js';

const SWEEP_EVERY_MS = 60_000;
const BATCH_SIZE = 1000;
const MAX_BATCHES_PER_SWEEP = 50;

/** Deletes expired keys in bounded batches so a sweep never holds long locks. */
@Injectable()
export class IdempotencyCleanupJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyCleanupJob.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly idempotency: IdempotencyService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Runs one sweep; returns how many keys were deleted. */
  async sweep(): Promise<number> {
    let total = 0;
    try {
      for (let batch = 0; batch < MAX_BATCHES_PER_SWEEP; batch += 1) {
        const deleted = await this.idempotency.deleteExpired(BATCH_SIZE);
        total += deleted;
        if (deleted < BATCH_SIZE) break;
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'expired-key sweep failed; will retry next interval');
    }
    if (total > 0) this.logger.log({ deleted: total }, 'expired idempotency keys deleted');

    return total;
  }
}
