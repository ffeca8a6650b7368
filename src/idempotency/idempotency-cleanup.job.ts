import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';

import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { IdempotencyService } from './idempotency.service.js';

const BATCH_SIZE = 1000;
const MAX_BATCHES_PER_SWEEP = 50;

/** Deletes expired keys in bounded batches so a sweep never holds long locks. */
@Injectable()
export class IdempotencyCleanupJob implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyCleanupJob.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly idempotency: IdempotencyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), this.config.idempotency.sweepIntervalMs);
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
