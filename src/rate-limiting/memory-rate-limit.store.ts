import type {
  BucketRule,
  Decision,
  RateLimitStore,
  ScopeCheck,
  ScopeStanding,
  WindowRule,
} from './rate-limit.types.js';

/** Where the in-process store reads the time; tests pass a fake one. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

interface WindowLog {
  /** Admission stamps in ascending order; entries before `head` have left the window. */
  stamps: number[];
  head: number;
  expiresAt: number;
}

interface Bucket {
  tokens: number;
  stamp: number;
  expiresAt: number;
}

interface Pending {
  standing: ScopeStanding;
  take: () => void;
}

const SWEEP_EVERY_MS = 10_000;
const COMPACT_AFTER = 1024;

/**
 * Counters in this process, with the same semantics as `rate-limit.lua`: exact sliding windows
 * (a log of stamps), continuously refilling buckets, all or nothing. Decisions are synchronous,
 * so they are atomic within the process. Expired counters are swept every few seconds.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, WindowLog>();
  private readonly buckets = new Map<string, Bucket>();
  private lastNow = 0;
  private lastSweep = 0;

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly sweepEveryMs = SWEEP_EVERY_MS,
  ) {}

  /** Whether a counter is held for `key`; an expired one is held until the next sweep. */
  holds(key: string): boolean {
    return this.windows.has(key) || this.buckets.has(key);
  }

  async consume(checks: readonly ScopeCheck[]): Promise<Decision> {
    return this.decide(checks, true);
  }

  async peek(checks: readonly ScopeCheck[]): Promise<Decision> {
    return this.decide(checks, false);
  }

  private decide(checks: readonly ScopeCheck[], consume: boolean): Decision {
    const now = this.tick();
    const pending = checks.map((check) => this.evaluate(check, now));
    const allowed = pending.every(({ standing }) => standing.allows || !standing.check.enforced);
    if (consume && allowed) {
      for (const entry of pending) if (entry.standing.allows) entry.take();
    }

    return { allowed, nowMs: now, standings: pending.map((entry) => entry.standing) };
  }

  /** A clock that never runs backwards keeps every log sorted. */
  private tick(): number {
    const now = Math.max(this.clock.now(), this.lastNow);
    this.lastNow = now;
    if (now - this.lastSweep >= this.sweepEveryMs) this.sweep(now);

    return now;
  }

  private evaluate(check: ScopeCheck, now: number): Pending {
    return check.rule.algorithm === 'sliding_window'
      ? this.evaluateWindow(check, check.rule, now)
      : this.evaluateBucket(check, check.rule, now);
  }

  private evaluateWindow(check: ScopeCheck, rule: WindowRule, now: number): Pending {
    const log = this.windowLog(check.key, now - rule.windowMs);
    const count = log.stamps.length - log.head;
    const allows = count < rule.limit;
    const leaveTime = (index: number) => log.stamps[log.head + index] + rule.windowMs - now;
    const standing: ScopeStanding = {
      check,
      allows,
      remaining: Math.max(0, rule.limit - count),
      resetMs: count > 0 ? leaveTime(0) : 0,
      retryAfterMs: allows ? 0 : leaveTime(count - rule.limit),
    };
    const take = () => {
      log.stamps.push(now);
      log.expiresAt = now + rule.windowMs;
      this.windows.set(check.key, log);
      standing.remaining -= 1;
      if (count === 0) standing.resetMs = rule.windowMs;
    };

    return { standing, take };
  }

  private evaluateBucket(check: ScopeCheck, rule: BucketRule, now: number): Pending {
    const saved = this.buckets.get(check.key);
    const refilled = saved
      ? saved.tokens + (Math.max(0, now - saved.stamp) * rule.refillPerSecond) / 1000
      : rule.capacity;
    const tokens = Math.min(rule.capacity, refilled);
    const allows = tokens >= 1;
    const standing: ScopeStanding = {
      check,
      allows,
      ...bucketFigures(tokens, rule),
      retryAfterMs: allows ? 0 : Math.ceil(((1 - tokens) * 1000) / rule.refillPerSecond),
    };
    const take = () => {
      const expiresAt = now + Math.ceil((rule.capacity * 1000) / rule.refillPerSecond);
      this.buckets.set(check.key, { tokens: tokens - 1, stamp: now, expiresAt });
      Object.assign(standing, bucketFigures(tokens - 1, rule));
    };

    return { standing, take };
  }

  /** The key's log with stamps at or before `floor` dropped; a fresh one when there is none. */
  private windowLog(key: string, floor: number): WindowLog {
    const log = this.windows.get(key) ?? { stamps: [], head: 0, expiresAt: 0 };
    while (log.head < log.stamps.length && log.stamps[log.head] <= floor) log.head += 1;
    if (log.head >= COMPACT_AFTER && log.head * 2 >= log.stamps.length) {
      log.stamps = log.stamps.slice(log.head);
      log.head = 0;
    }

    return log;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [key, log] of this.windows) if (log.expiresAt <= now) this.windows.delete(key);
    for (const [key, bucket] of this.buckets) if (bucket.expiresAt <= now) this.buckets.delete(key);
  }
}

function bucketFigures(tokens: number, rule: BucketRule): { remaining: number; resetMs: number } {
  const remaining = Math.max(0, Math.floor(tokens));
  const resetMs =
    tokens < rule.capacity
      ? Math.ceil(((Math.floor(tokens) + 1 - tokens) * 1000) / rule.refillPerSecond)
      : 0;

  return { remaining, resetMs };
}
