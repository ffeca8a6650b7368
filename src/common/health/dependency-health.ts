/** What a dependency says about itself; `down` means the service cannot serve through it. */
export interface DependencyHealth {
  status: 'up' | 'degraded' | 'down';
  [detail: string]: unknown;
}

/** A feature that reports its own health, such as the rate limiter. */
export interface DependencyHealthProvider {
  health(): Promise<DependencyHealth> | DependencyHealth;
}

/**
 * Injection token of the rate limiter's {@link DependencyHealthProvider}: the rate-limiting
 * module exports it and the health module shows it as `services.rate_limiting`; its `down`
 * fails readiness. Optional, so the health module also works without rate limiting.
 */
export const RATE_LIMIT_HEALTH = 'RATE_LIMIT_HEALTH';
