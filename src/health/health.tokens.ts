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
 * Optional injection token. A module that provides a {@link DependencyHealthProvider} under it
 * (and is imported by the health module, or is global) appears in `/health` as
 * `services.rate_limiting`; its `down` fails readiness.
 */
export const RATE_LIMIT_HEALTH = 'RATE_LIMIT_HEALTH';
