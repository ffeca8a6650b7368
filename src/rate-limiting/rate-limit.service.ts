import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';

import { ServiceUnavailableError } from '../common/errors/request-errors.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { InjectMetric, METRIC } from '../metrics/metric-names.js';
import type { Clock } from './memory-rate-limit.store.js';
import { RefusalCache } from './refusal-cache.js';
import type {
  Decision,
  RateLimitStore,
  ScopeCheck,
  ScopeName,
  ScopeStanding,
} from './rate-limit.types.js';

/** Injection token of the {@link RateLimitBackend}. */
export const RATE_LIMIT_BACKEND = Symbol('RATE_LIMIT_BACKEND');

/** The stores the service decides with, and the clock it keeps its own times by. */
export interface RateLimitBackend {
  /** Redis, shared by every instance; null on embedded defaults. */
  shared: RateLimitStore | null;
  /** This process's counters: the only store when embedded, the fallback otherwise. */
  local: RateLimitStore;
  clock: Clock;
}

export interface RateLimitOutcome {
  allowed: boolean;
  /** The deciding clock's time, epoch milliseconds. */
  nowMs: number;
  standings: ScopeStanding[];
  /** The enforced scope that refused and how long it will; null when admitted. */
  refusal: { scope: ScopeName; retryAfterMs: number } | null;
}

export interface RateLimitHealth {
  status: 'up' | 'degraded' | 'down';
  mode: 'redis' | 'embedded' | 'fallback';
}

type Mode = 'consume' | 'peek';

/** How long a failing shared store is left alone before one request probes it again. */
const PROBE_INTERVAL_MS = 1000;

/** A decision may take a few commands (a cluster reserves slot by slot, then gives back). */
const COMMANDS_PER_DECISION = 4;

class StoreTimeoutError extends Error {
  constructor(ms: number) {
    super(`rate-limit store gave no answer in ${ms} ms`);
    this.name = 'StoreTimeoutError';
  }
}

/** The store's answer, or a rejection once `ms` have passed: a request never waits longer. */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new StoreTimeoutError(ms)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Decides requests against their scopes. Refusals learned from the shared store are remembered
 * per counter until they lapse, so repeated over-limit requests cost no round trip. When Redis
 * fails, RATE_LIMIT_FAIL_MODE picks per-instance limits (open) or 503 answers (closed); a probe
 * every second returns to the shared limits once Redis answers again.
 */
@Injectable()
export class RateLimitService {
  private readonly logger = new Logger(RateLimitService.name);
  private readonly refusals = new RefusalCache();
  private readonly shadowNoted = new RefusalCache(1000);
  private readonly failMode: 'open' | 'closed';
  private readonly deadlineMs: number;
  private failing = false;
  private nextProbeAt = 0;

  constructor(
    @Inject(RATE_LIMIT_BACKEND) private readonly backend: RateLimitBackend,
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectMetric(METRIC.rateLimitExceeded) private readonly exceeded: Counter<string>,
    @InjectMetric(METRIC.rateLimitDegraded) private readonly degraded: Gauge<string>,
  ) {
    this.failMode = config.rateLimits.failMode;
    this.deadlineMs = config.redis.commandTimeoutMs * COMMANDS_PER_DECISION;
    this.degraded.set(0);
  }

  /**
   * Decides one request: `consume` takes a unit from every scope when all enforced ones allow,
   * `peek` only looks. Throws ServiceUnavailableError when Redis is down and the mode is closed.
   */
  async evaluate(checks: readonly ScopeCheck[], mode: Mode): Promise<RateLimitOutcome> {
    const now = this.backend.clock.now();
    const cached = this.refusals.refusing(checks, now);
    if (cached.length > 0) return this.cachedRefusal(cached, now);

    const { decision, shared } = await this.decide(checks, mode);
    const outcome = outcomeOf(decision);
    this.report(outcome, shared);

    return outcome;
  }

  /** The standings of `checks` as they are, bypassing the refusal cache and metrics. */
  async standings(checks: readonly ScopeCheck[]): Promise<Decision> {
    return (await this.decide(checks, 'peek')).decision;
  }

  /** Whether limits are shared (Redis), local by design (embedded) or local by necessity. */
  health(): RateLimitHealth {
    if (this.backend.shared === null) return { status: 'up', mode: 'embedded' };
    if (!this.failing) return { status: 'up', mode: 'redis' };

    return this.failMode === 'open'
      ? { status: 'degraded', mode: 'fallback' }
      : { status: 'down', mode: 'redis' };
  }

  private async decide(checks: readonly ScopeCheck[], mode: Mode) {
    const shared = this.backend.shared;
    if (shared === null) return { decision: await this.backend.local[mode](checks), shared: false };

    const now = this.backend.clock.now();
    if (this.failing && now < this.nextProbeAt) return this.withoutShared(checks, mode, null);

    this.nextProbeAt = now + PROBE_INTERVAL_MS;
    try {
      const decision = await within(this.deadlineMs, shared[mode](checks));
      this.markRecovered();
      return { decision, shared: true };
    } catch (error) {
      this.markFailing(error);
      return this.withoutShared(checks, mode, error);
    }
  }

  private async withoutShared(checks: readonly ScopeCheck[], mode: Mode, cause: unknown) {
    if (this.failMode === 'closed') {
      throw new ServiceUnavailableError('Rate limiting is unavailable; retry shortly.', 1, cause);
    }

    return { decision: await this.backend.local[mode](checks), shared: false };
  }

  private markFailing(error: unknown): void {
    if (this.failing) return;

    this.failing = true;
    this.degraded.set(1);
    const reason = error instanceof Error ? error.message : String(error);
    const action = this.failMode === 'open' ? 'per-instance limits' : 'answering 503';
    this.logger.warn({ err: reason, failMode: this.failMode }, `rate-limit store down: ${action}`);
  }

  private markRecovered(): void {
    if (!this.failing) return;

    this.failing = false;
    this.degraded.set(0);
    this.logger.log({ failMode: this.failMode }, 'rate-limit store back: shared limits again');
  }

  private cachedRefusal(cached: { check: ScopeCheck; untilMs: number }[], now: number) {
    const standings = cached.map(({ check, untilMs }) => ({
      check,
      allows: false,
      remaining: 0,
      resetMs: untilMs - now,
      retryAfterMs: untilMs - now,
    }));
    const outcome: RateLimitOutcome = {
      allowed: false,
      nowMs: now,
      standings,
      refusal: refusalOf(standings),
    };
    this.countRefusal(outcome);

    return outcome;
  }

  /** Metrics and logs; refusals from the shared store are remembered until they lapse. */
  private report(outcome: RateLimitOutcome, shared: boolean): void {
    const receivedAt = this.backend.clock.now();
    for (const standing of outcome.standings) {
      if (standing.allows) continue;

      if (!standing.check.enforced) this.reportShadow(standing, receivedAt);
      else if (shared) {
        this.refusals.remember(standing.check, receivedAt + standing.retryAfterMs, receivedAt);
      }
    }
    this.countRefusal(outcome);
  }

  private countRefusal(outcome: RateLimitOutcome): void {
    if (outcome.refusal) this.exceeded.inc({ scope: outcome.refusal.scope, shadow: 'false' });
  }

  private reportShadow(standing: ScopeStanding, now: number): void {
    const { scope, key } = standing.check;
    this.exceeded.inc({ scope, shadow: 'true' });
    if (this.shadowNoted.refusing([standing.check], now).length > 0) return;

    this.shadowNoted.remember(standing.check, now + standing.retryAfterMs, now);
    this.logger.log(
      { scope, key, retryAfterMs: standing.retryAfterMs },
      'shadow rate limit exceeded (not enforced)',
    );
  }
}

/** Among refusing enforced scopes, the one that refuses longest: the request waits for all. */
function refusalOf(standings: readonly ScopeStanding[]): RateLimitOutcome['refusal'] {
  let refusal: RateLimitOutcome['refusal'] = null;
  for (const { check, allows, retryAfterMs } of standings) {
    if (allows || !check.enforced) continue;
    if (!refusal || retryAfterMs > refusal.retryAfterMs) {
      refusal = { scope: check.scope, retryAfterMs };
    }
  }

  return refusal;
}

function outcomeOf(decision: Decision): RateLimitOutcome {
  return {
    allowed: decision.allowed,
    nowMs: decision.nowMs,
    standings: decision.standings,
    refusal: decision.allowed ? null : refusalOf(decision.standings),
  };
}
