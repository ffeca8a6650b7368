import { Injectable, Logger } from '@nestjs/common';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';

import { InjectMetric, METRIC } from '../metrics/metric-names.js';
import type { AuditEntry } from './audit-entry.js';
import { AuditLogEntity } from './audit-log.entity.js';
import { INSERT_BATCH_SQL, batchParameters } from './audit-log.sql.js';

const FLUSH_EVERY_MS = 250;
const FLUSH_BATCH = 500;
const MAX_BUFFERED = 20_000;

function toRow(entry: AuditEntry) {
  return { ...entry, occurredAt: entry.occurredAt ?? new Date() };
}

/**
 * Writes the audit trail. Entries that belong to a payment commit with it; every other entry
 * (rejections, reads) goes through a bounded in-memory buffer flushed in batches, so a flood
 * of refusals cannot make auditing the bottleneck. What the buffer had to drop is counted.
 * The last flush runs before shutdown hooks close the database, after the HTTP server drained.
 */
@Injectable()
export class AuditService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private buffer: AuditEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private droppedCount = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectMetric(METRIC.auditDropped) private readonly droppedMetric: Counter,
    @InjectMetric(METRIC.auditBuffered) private readonly bufferedMetric: Gauge,
    @InjectMetric(METRIC.auditWriteFailures) private readonly writeFailures: Counter,
  ) {}

  get dropped(): number {
    return this.droppedCount;
  }

  get pending(): number {
    return this.buffer.length;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_EVERY_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
    if (this.buffer.length === 0) return;

    this.logger.error({ entries: this.buffer.length }, 'audit entries not written at shutdown');
    this.drop(this.buffer.length);
    this.buffer = [];
  }

  /** Writes the entry in the caller's transaction: it commits, or rolls back, with the work. */
  async recordWithin(manager: EntityManager, entry: AuditEntry): Promise<void> {
    await manager.insert(AuditLogEntity, toRow(entry));
  }

  /** Queues the entry for the next batch; drops it (and counts) when the buffer is full. */
  enqueue(entry: AuditEntry): void {
    if (this.buffer.length >= MAX_BUFFERED) {
      this.drop(1);
      return;
    }

    this.buffer.push({ ...entry, occurredAt: entry.occurredAt ?? new Date() });
    this.bufferedMetric.set(this.buffer.length);
    if (this.buffer.length >= FLUSH_BATCH) void this.flush();
  }

  /** Writes everything buffered so far; concurrent callers share one flush. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;

    this.flushing = this.writeBuffered().finally(() => {
      this.flushing = null;
    });
    await this.flushing;
  }

  private async writeBuffered(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.splice(0, FLUSH_BATCH);
      try {
        await this.dataSource.query(INSERT_BATCH_SQL, batchParameters(batch));
      } catch (error) {
        this.keepForRetry(batch);
        this.writeFailures.inc();
        this.logger.warn(
          { err: error, entries: batch.length },
          'audit batch not written; retrying',
        );
        return;
      } finally {
        this.bufferedMetric.set(this.buffer.length);
      }
    }
  }

  private keepForRetry(batch: AuditEntry[]): void {
    const room = Math.max(0, MAX_BUFFERED - this.buffer.length);
    this.buffer.unshift(...batch.slice(0, room));
    this.drop(batch.length - Math.min(room, batch.length));
  }

  private drop(count: number): void {
    if (count <= 0) return;

    this.droppedCount += count;
    this.droppedMetric.inc(count);
  }
}
