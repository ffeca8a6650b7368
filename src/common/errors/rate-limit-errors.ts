import { AppError } from './app-error.js';

export class RateLimitedError extends AppError {
  constructor(scope: string, retryAfterSeconds: number) {
    super(429, 'rate_limited', 'Too many requests', {
      detail: `The ${scope} rate limit is exhausted; retry after ${retryAfterSeconds} s.`,
      extras: { scope },
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}
