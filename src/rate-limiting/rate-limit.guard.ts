import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';

import type { AuthenticatedRequest } from '../auth/principal.js';
import { RateLimitedError } from '../common/errors/rate-limit-errors.js';
import { RATE_LIMIT_ROUTE } from './rate-limit.decorator.js';
import type { RouteRateLimit } from './rate-limit.decorator.js';
import { rateLimitHeaders, wholeSecondsUp } from './rate-limit.headers.js';
import { RateLimitPolicy } from './rate-limit.policy.js';
import type { Caller } from './rate-limit.policy.js';
import { RateLimitService } from './rate-limit.service.js';

const API_PREFIX = '/api/v1/';

/** The caller as the limiter sees it: the account when a key identified one, and the IP. */
export function callerOf(request: AuthenticatedRequest): Caller {
  return {
    accountId: request.principal?.accountId ?? null,
    ip: request.ip ?? request.socket?.remoteAddress ?? 'unknown',
  };
}

/**
 * Decides every API request against its scopes before the API-key guard runs, so a request
 * with a bad key still counts against `global` and `ip`. Sets the rate-limit headers on every
 * response it sees and refuses with 429 when an enforced scope is exhausted.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly policy: RateLimitPolicy,
    private readonly limits: RateLimitService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const request = http.getRequest<AuthenticatedRequest>();
    if (!request.path.startsWith(API_PREFIX)) return true;

    const route = this.reflector.getAllAndOverride<RouteRateLimit | undefined>(RATE_LIMIT_ROUTE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const checks = this.policy.checksFor(callerOf(request), route);
    const outcome = await this.limits.evaluate(checks, route?.peek ? 'peek' : 'consume');

    http.getResponse<Response>().set(rateLimitHeaders(outcome.standings, outcome.nowMs));
    if (outcome.refusal) {
      const { scope, retryAfterMs } = outcome.refusal;
      throw new RateLimitedError(scope, wholeSecondsUp(retryAfterMs));
    }

    return true;
  }
}
