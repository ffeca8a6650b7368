import { Inject, Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Counter } from 'prom-client';
import { DataSource } from 'typeorm';

import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { InjectMetric, METRIC } from '../metrics/metric-names.js';
import { RETENTION_DELETE_SQL, SET_RETENTION_CUTOFF_SQL } from './audit-log.sql.js';

const FIRST_RUN_AFTER_MS = 1000;
const RUN_EVERY_MS = 60 * 60_000;
const BATCH_SIZE = 1000;
const MAX_BATCHES_PER_RUN = 100;

/**
 * Deletes audit entries older than AUDIT_RETENTION, shortly after startup and then hourly. Each
 * batch is its own short transaction that sets `audit.retention_cutoff` locally, the only way
 * the append-only trigger lets a row go; a run stops after a bounded number of batches.
 */
@Injectable()
export class AuditRetentionJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditRetentionJob.name);
  private timers: NodeJS.Timeout[] = [];
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectMetric(METRIC.auditRetentionDeleted) private readonly deleted: Counter,
  ) {}

  onApplicationBootstrap(): void {
    const first = setTimeout(() => void this.run(), FIRST_RUN_AFTER_MS);
    const every = setInterval(() => void this.run(), RUN_EVERY_MS);
    this.timers = [first, every];
    this.timers.forEach((timer) => timer.unref());
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.timers.forEach((timer) => clearTimeout(timer));
    await this.running;
  }

  /** One run (joining one already under way); returns how many entries it deleted. */
  run(now: Date = new Date()): Promise<number> {
    this.running ??= this.deleteOlderThan(new Date(now.getTime() - this.config.audit.retentionMs))
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'audit retention run failed; will retry next interval');
        return 0;
      })
      .finally(() => {
        this.running = null;
      });

    return this.running;
  }

  private async deleteOlderThan(cutoff: Date): Promise<number> {
    let total = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN && !this.stopped; batch += 1) {
      const deleted = await this.deleteBatch(cutoff.toISOString());
      total += deleted;
      this.deleted.inc(deleted);
      if (deleted < BATCH_SIZE) break;
    }
    if (total > 0) this.logger.log({ deleted: total, cutoff }, 'expired audit entries deleted');

    return total;
  }

  private deleteBatch(cutoff: string): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(SET_RETENTION_CUTOFF_SQL, [cutoff]);
      const result: [unknown[], number] = await manager.query(RETENTION_DELETE_SQL, [
        cutoff,
        BATCH_SIZE,
      ]);

      return result[1];
    });
  }
}
