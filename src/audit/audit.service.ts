import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';

import type { AuditEntry } from './audit-entry.js';
import { AuditLogEntity } from './audit-log.entity.js';

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
 */
@Injectable()
export class AuditService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AuditService.name);
  private buffer: AuditEntry[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private droppedCount = 0;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

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

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  /** Writes the entry in the caller's transaction: it commits, or rolls back, with the work. */
  async recordWithin(manager: EntityManager, entry: AuditEntry): Promise<void> {
    await manager.insert(AuditLogEntity, toRow(entry));
  }

  /** Queues the entry for the next batch; drops it (and counts) when the buffer is full. */
  enqueue(entry: AuditEntry): void {
    if (this.buffer.length >= MAX_BUFFERED) {
      this.droppedCount += 1;
      return;
    }

    this.buffer.push({ ...entry, occurredAt: entry.occurredAt ?? new Date() });
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
        await this.dataSource.manager.insert(AuditLogEntity, batch.map(toRow));
      } catch (error) {
        this.buffer.unshift(...batch.slice(0, MAX_BUFFERED - this.buffer.length));
        this.logger.warn(
          { err: error, entries: batch.length },
          'audit batch not written; retrying',
        );
        return;
      }
    }
  }
}
