/** The scopes a request can be limited in, in the order the contract lists them. */
export const SCOPE_NAMES = ['global', 'user', 'ip', 'endpoint', 'burst'] as const;

export type ScopeName = (typeof SCOPE_NAMES)[number];

export interface WindowRule {
  algorithm: 'sliding_window';
  limit: number;
  windowMs: number;
}

export interface BucketRule {
  algorithm: 'token_bucket';
  capacity: number;
  refillPerSecond: number;
}

export type Rule = WindowRule | BucketRule;

/** One limit applied to one caller: the counter (`key`) and the rule it is held to. */
export interface ScopeCheck {
  scope: ScopeName;
  /** The counter's key; its `{hash tag}` decides the Redis Cluster slot. */
  key: string;
  rule: Rule;
  /** False in shadow mode: the scope is computed and reported but never refuses. */
  enforced: boolean;
}

/** Where one scope stands after a request was decided. */
export interface ScopeStanding {
  check: ScopeCheck;
  /** This scope alone would admit the request. */
  allows: boolean;
  /** Units left: after this request when it was admitted, as they are when it was not. */
  remaining: number;
  /** Milliseconds until the scope next gains a unit; 0 when it is full. */
  resetMs: number;
  /** Milliseconds until this scope would admit a request; 0 when it allows now. */
  retryAfterMs: number;
}

export interface Decision {
  /** Every enforced scope allows; in consume mode, a unit was taken from each scope. */
  allowed: boolean;
  /** The deciding store's clock, epoch milliseconds (Redis `TIME` for the Redis store). */
  nowMs: number;
  standings: ScopeStanding[];
}

/**
 * A counter store. `consume` decides a request against every scope at once and takes one unit
 * from each only when all enforced scopes allow (a shadow scope that refuses gives nothing);
 * `peek` reports the same standings and changes nothing.
 */
export interface RateLimitStore {
  consume(checks: readonly ScopeCheck[]): Promise<Decision>;
  peek(checks: readonly ScopeCheck[]): Promise<Decision>;
}

/** The most units a scope can have: the window's limit or the bucket's capacity. */
export function limitOf(rule: Rule): number {
  return rule.algorithm === 'sliding_window' ? rule.limit : rule.capacity;
}

/** The window length in seconds the headers advertise; a bucket is described per second. */
export function windowSecondsOf(rule: Rule): number {
  return rule.algorithm === 'sliding_window' ? rule.windowMs / 1000 : 1;
}
