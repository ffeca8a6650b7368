import { SetMetadata } from '@nestjs/common';

export const RATE_LIMIT_ROUTE = 'rate-limit:route';

/** What a route adds to the scopes every request is held to. */
export interface RouteRateLimit {
  /** The per-user endpoint scope; routes naming the same endpoint share one counter. */
  endpoint?: { name: string; limit?: number; windowMs?: number };
  /** Decide without taking a unit: the route only reports standings. */
  peek?: boolean;
}

export interface EndpointLimitOptions {
  scope: 'endpoint';
  /** The shared counter's name; defaults to `payments`, whose limit is RATE_LIMIT_PAYMENTS. */
  name?: string;
  /** Overrides the configured limit for this counter. */
  limit?: number;
  windowMs?: number;
}

/**
 * Holds a route to the per-user endpoint scope as well as the usual ones. Routes that share a
 * `name` share the counter, so they should also share the limit.
 */
export const RateLimit = (options: EndpointLimitOptions) =>
  SetMetadata(RATE_LIMIT_ROUTE, {
    endpoint: {
      name: options.name ?? 'payments',
      limit: options.limit,
      windowMs: options.windowMs,
    },
  } satisfies RouteRateLimit);

/** Checks the caller's scopes without consuming anything (a route that reports standings). */
export const PeekRateLimits = () =>
  SetMetadata(RATE_LIMIT_ROUTE, { peek: true } satisfies RouteRateLimit);
