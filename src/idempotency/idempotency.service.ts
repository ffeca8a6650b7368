import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';

import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { toRecord } from './idempotency-record.js';
import type { ClaimResult, IdempotencyRow, InProgressRecord } from './idempotency-record.js';
import {
  CHECKPOINT_SQL,
  CLAIM_SQL,
  COMPLETE_SQL,
  DELETE_EXPIRED_SQL,
  FORGET_SQL,
  READ_SQL,
  RELEASE_SQL,
} from './idempotency.sql.js';
import type { StoredResponse } from './stored-response.js';

export interface ClaimRequest {
  accountId: string;
  key: string;
  fingerprint: string;
}

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 200;

/**
 * The idempotency state machine, kept in PostgreSQL: a key is claimed (in progress, holding a
 * lock that expires), advances through recovery points, and ends completed with its response.
 * Every transition is a single conditional statement, so concurrent instances cannot both win.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Claims the key, waiting up to the lock wait while another request holds it. */
  async claimOrWait(
    request: ClaimRequest,
    deadline = Date.now() + this.config.idempotency.lockWaitMs,
  ): Promise<ClaimResult> {
    let pause = FIRST_POLL_MS;

    for (;;) {
      const result = await this.claim(request);
      if (result.kind !== 'busy' || Date.now() >= deadline) return result;

      await sleep(Math.min(pause, Math.max(1, deadline - Date.now())) * (0.5 + Math.random() / 2));
      pause = Math.min(MAX_POLL_MS, pause * 2);
    }
  }

  /** One attempt: acquire, or report why not. */
  async claim({ accountId, key, fingerprint }: ClaimRequest): Promise<ClaimResult> {
    const { lockTtlMs, ttlMs } = this.config.idempotency;
    const claimed: IdempotencyRow[] = await this.dataSource.query(CLAIM_SQL, [
      accountId,
      key,
      fingerprint,
      lockTtlMs,
      ttlMs,
    ]);
    if (claimed.length > 0) {
      const record = toRecord(claimed[0]) as InProgressRecord;
      return { kind: 'acquired', record, fresh: claimed[0].inserted === true };
    }

    return this.inspect(accountId, key, fingerprint);
  }

  async checkpoint(manager: EntityManager, recordId: string, point: string): Promise<void> {
    await manager.query(CHECKPOINT_SQL, [recordId, point]);
  }

  /** Stores the final response; runs inside the caller's transaction. */
  async complete(manager: EntityManager, recordId: string, response: StoredResponse) {
    await manager.query(COMPLETE_SQL, [
      recordId,
      response.status,
      JSON.stringify(response.headers),
      response.body,
    ]);
  }

  /** Lets the next retry resume at once after a transient failure, instead of after the TTL. */
  async release(recordId: string): Promise<void> {
    await this.dataSource.query(RELEASE_SQL, [recordId]);
  }

  /** Forgets a claim whose request was refused before doing anything, so nothing is stored. */
  async forget(recordId: string): Promise<void> {
    await this.dataSource.query(FORGET_SQL, [recordId]);
  }

  /** Deletes up to `batchSize` expired keys; returns how many went. */
  async deleteExpired(batchSize: number): Promise<number> {
    const result: [unknown[], number] = await this.dataSource.query(DELETE_EXPIRED_SQL, [
      batchSize,
    ]);

    return result[1];
  }

  private async inspect(accountId: string, key: string, fingerprint: string) {
    const rows: IdempotencyRow[] = await this.dataSource.query(READ_SQL, [accountId, key]);
    if (rows.length === 0) return this.claim({ accountId, key, fingerprint });

    const record = toRecord(rows[0]);
    if (record.fingerprint !== fingerprint) return { kind: 'mismatch' } as const;
    if (record.state === 'completed') return { kind: 'completed', record } as const;

    return { kind: 'busy', lockedUntil: record.lockedUntil } as const;
  }
}
