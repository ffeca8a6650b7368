import { Inject, Injectable, Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Counter } from 'prom-client';
import type { EntityManager } from 'typeorm';

import { AppError } from '../common/errors/app-error.js';
import {
  IdempotencyKeyReusedError,
  IdempotencyRequestInProgressError,
} from '../common/errors/idempotency-errors.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { InjectMetric, METRIC } from '../metrics/metric-names.js';
import { IdempotencyCache } from './idempotency-cache.js';
import type { CachedCompletion } from './idempotency-cache.js';
import type { InProgressRecord } from './idempotency-record.js';
import { IdempotencyService } from './idempotency.service.js';
import type { ClaimRequest } from './idempotency.service.js';
import type { ResumableOperation } from './resumable-operation.js';
import type { StoredResponse } from './stored-response.js';

const FIRST_POLL_MS = 10;
const MAX_POLL_MS = 100;

export interface ExecutionResult {
  response: StoredResponse;
  replayed: boolean;
}

export type IdempotentWork = (operation: ResumableOperation) => Promise<StoredResponse>;

/**
 * Runs a piece of work at most once per (account, key): replays a completed key, refuses a
 * different request under the key, waits for a key in use, and otherwise runs the work with a
 * {@link ResumableOperation}. Both the HTTP interceptor and the concurrency simulator use it.
 */
@Injectable()
export class IdempotentExecutor {
  private readonly logger = new Logger(IdempotentExecutor.name);

  constructor(
    private readonly idempotency: IdempotencyService,
    private readonly cache: IdempotencyCache,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectMetric(METRIC.idempotentReplays) private readonly replays: Counter,
    @InjectMetric(METRIC.concurrentConflicts) private readonly conflicts: Counter<'kind'>,
  ) {}

  /**
   * `validate` runs only when the request is not a cached replay and before anything is
   * claimed, so a replay skips it and a refused request leaves no trace.
   */
  async execute(
    claimRequest: ClaimRequest,
    work: IdempotentWork,
    validate: () => Promise<void> = async () => undefined,
  ): Promise<ExecutionResult> {
    const cached = await this.cache.get(claimRequest);
    if (cached) return this.replayCached(claimRequest, cached);

    await validate();

    const deadline = Date.now() + this.config.idempotency.lockWaitMs;
    const leads = await this.cache.tryLock(claimRequest, this.config.idempotency.lockTtlMs);
    try {
      const seen = leads ? null : await this.awaitLeader(claimRequest, deadline);
      if (seen) return this.replayCached(claimRequest, seen);

      return await this.executeClaimed(claimRequest, work, deadline);
    } finally {
      if (leads) await this.cache.unlock(claimRequest);
    }
  }

  private async executeClaimed(
    claimRequest: ClaimRequest,
    work: IdempotentWork,
    deadline: number,
  ): Promise<ExecutionResult> {
    const claim = await this.idempotency.claimOrWait(claimRequest, deadline);

    switch (claim.kind) {
      case 'completed':
        this.replays.inc();
        await this.remember(claimRequest, claim.record.response, claim.record.expiresAt);
        return { response: claim.record.response, replayed: true };
      case 'mismatch':
        this.conflicts.inc({ kind: 'key_reused' });
        throw new IdempotencyKeyReusedError();
      case 'busy':
        this.conflicts.inc({ kind: 'in_progress' });
        throw new IdempotencyRequestInProgressError(this.secondsUntil(claim.lockedUntil));
      case 'acquired': {
        const operation = this.operationFor(claim.record, claimRequest.key);
        const response = await this.run(work, operation, claim.record, claim.fresh);
        await this.remember(claimRequest, response, claim.record.expiresAt);
        return { response, replayed: false };
      }
    }
  }

  private replayCached(claimRequest: ClaimRequest, cached: CachedCompletion): ExecutionResult {
    if (cached.fingerprint !== claimRequest.fingerprint) {
      this.conflicts.inc({ kind: 'key_reused' });
      throw new IdempotencyKeyReusedError();
    }

    this.replays.inc();
    return { response: cached.response, replayed: true };
  }

  /**
   * Another request holds the early lock: watch Redis for its completed response instead of
   * polling PostgreSQL. Gives up (and lets PostgreSQL decide) when the lock is gone without a
   * response, when Redis stops answering, or at the deadline.
   */
  private async awaitLeader(claim: ClaimRequest, deadline: number) {
    let pause = FIRST_POLL_MS;
    while (Date.now() < deadline) {
      await sleep(Math.min(pause, Math.max(1, deadline - Date.now())));
      const seen = await this.cache.peek(claim);
      if (seen === null) return null;
      if (seen.completion || !seen.locked) return seen.completion;

      pause = Math.min(MAX_POLL_MS, pause * 2);
    }

    return null;
  }

  private async remember(claim: ClaimRequest, response: StoredResponse, expiresAt: Date) {
    const ttlMs = expiresAt.getTime() - Date.now();
    if (ttlMs > 1000) await this.cache.put(claim, response, ttlMs);
  }

  private async run(
    work: IdempotentWork,
    operation: ResumableOperation,
    record: InProgressRecord,
    fresh: boolean,
  ): Promise<StoredResponse> {
    try {
      return await work(operation);
    } catch (error) {
      await this.giveBack(record, fresh, error);
      throw error;
    }
  }

  /** A refusal before any work forgets a fresh claim; anything else only releases the lock. */
  private async giveBack(record: InProgressRecord, fresh: boolean, error: unknown) {
    const refusedEarly = error instanceof AppError && error.status < 500;
    try {
      if (refusedEarly && fresh) await this.idempotency.forget(record.id);
      else await this.idempotency.release(record.id);
    } catch (releaseError) {
      this.logger.warn({ err: releaseError, recordId: record.id }, 'could not release claim');
    }
  }

  private operationFor(record: InProgressRecord, key: string): ResumableOperation {
    const idempotency = this.idempotency;

    return {
      resourceId: record.resourceId,
      recoveryPoint: record.recoveryPoint,
      clientKey: key,
      checkpoint: (manager: EntityManager, point: string) =>
        idempotency.checkpoint(manager, record.id, point),
      complete: (manager: EntityManager, stored: StoredResponse) =>
        idempotency.complete(manager, record.id, stored),
    };
  }

  private secondsUntil(lockedUntil: Date): number {
    return Math.max(1, Math.ceil((lockedUntil.getTime() - Date.now()) / 1000));
  }
}
