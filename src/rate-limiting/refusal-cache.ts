import type { ScopeCheck } from './rate-limit.types.js';

interface Refusal {
  check: ScopeCheck;
  untilMs: number;
}

const DEFAULT_CAPACITY = 10_000;

/**
 * Scopes known to refuse until a given time, keyed by their exact counter key, so that a flood
 * of over-limit requests is answered without asking the store. Times are this process's clock,
 * taken when the store's answer arrived, so they can only err on the side of refusing.
 */
export class RefusalCache {
  private readonly refusals = new Map<string, Refusal>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get size(): number {
    return this.refusals.size;
  }

  remember(check: ScopeCheck, untilMs: number, nowMs: number): void {
    if (this.refusals.size >= this.capacity) this.makeRoom(nowMs);

    this.refusals.delete(check.key);
    this.refusals.set(check.key, { check, untilMs });
  }

  /** The still-refusing scopes among `checks`, with the time each refuses until. */
  refusing(checks: readonly ScopeCheck[], nowMs: number): Refusal[] {
    const found: Refusal[] = [];
    for (const check of checks) {
      const refusal = this.refusals.get(check.key);
      if (!refusal) continue;

      if (refusal.untilMs > nowMs) found.push({ check, untilMs: refusal.untilMs });
      else this.refusals.delete(check.key);
    }

    return found;
  }

  clear(): void {
    this.refusals.clear();
  }

  /** Drops what has expired; when all are current, the oldest entry goes. */
  private makeRoom(nowMs: number): void {
    for (const [key, refusal] of this.refusals) {
      if (refusal.untilMs <= nowMs) this.refusals.delete(key);
    }
    if (this.refusals.size < this.capacity) return;

    const oldest = this.refusals.keys().next().value;
    if (oldest !== undefined) this.refusals.delete(oldest);
  }
}
