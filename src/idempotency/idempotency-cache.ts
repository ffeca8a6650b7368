import { Inject, Injectable, Logger } from '@nestjs/common';

import { REDIS_CLIENT } from '../redis/redis.module.js';
import type { RedisClient } from '../redis/redis.module.js';
import type { ClaimRequest } from './idempotency.service.js';
import type { StoredResponse } from './stored-response.js';

export interface CachedCompletion {
  fingerprint: string;
  response: StoredResponse;
}

/**
 * The Redis fast path: completed responses, and a short early lock that keeps hot duplicates
 * waiting on Redis instead of polling PostgreSQL. Every method degrades to "no information"
 * when Redis is absent, slow or failing, because PostgreSQL alone decides correctness.
 */
@Injectable()
export class IdempotencyCache {
  private readonly logger = new Logger(IdempotencyCache.name);
  private lastWarningAt = 0;

  constructor(@Inject(REDIS_CLIENT) private readonly redis: RedisClient | null) {}

  get enabled(): boolean {
    return this.redis !== null;
  }

  async get(claim: ClaimRequest): Promise<CachedCompletion | null> {
    const raw = await this.attempt(() => this.redis!.get(this.responseKey(claim)), null);

    return raw ? (JSON.parse(raw) as CachedCompletion) : null;
  }

  /** The cached completion and whether someone holds the early lock; null when Redis is out. */
  async peek(
    claim: ClaimRequest,
  ): Promise<{ completion: CachedCompletion | null; locked: boolean } | null> {
    const values = await this.attempt(
      () => this.redis!.mget(this.responseKey(claim), this.lockKey(claim)),
      null,
    );
    if (values === null) return null;

    const [raw, lock] = values;

    return {
      completion: raw ? (JSON.parse(raw) as CachedCompletion) : null,
      locked: lock !== null,
    };
  }

  async put(claim: ClaimRequest, response: StoredResponse, ttlMs: number): Promise<void> {
    const value = JSON.stringify({ fingerprint: claim.fingerprint, response });
    await this.attempt(() => this.redis!.set(this.responseKey(claim), value, 'PX', ttlMs), null);
  }

  /** True when this caller holds the early lock, or when Redis cannot tell (then all proceed). */
  async tryLock(claim: ClaimRequest, ttlMs: number): Promise<boolean> {
    const result = await this.attempt(
      () => this.redis!.set(this.lockKey(claim), '1', 'PX', ttlMs, 'NX'),
      'OK',
    );

    return result === 'OK';
  }

  async unlock(claim: ClaimRequest): Promise<void> {
    await this.attempt(() => this.redis!.del(this.lockKey(claim)), 0);
  }

  private async attempt<T>(command: () => Promise<T>, fallback: T): Promise<T> {
    if (!this.redis) return fallback;

    try {
      return await command();
    } catch (error) {
      this.warnOccasionally(error);
      return fallback;
    }
  }

  private warnOccasionally(error: unknown): void {
    if (Date.now() - this.lastWarningAt < 10_000) return;

    this.lastWarningAt = Date.now();
    this.logger.warn(
      { err: String(error) },
      'idempotency cache unavailable; using PostgreSQL only',
    );
  }

  /** One hash tag per (account, key) so a cluster keeps both keys of a claim on one slot. */
  private responseKey({ accountId, key }: ClaimRequest): string {
    return `idem:{${accountId}:${key}}:response`;
  }

  private lockKey({ accountId, key }: ClaimRequest): string {
    return `idem:{${accountId}:${key}}:lock`;
  }
}
