import { Controller, Get, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import type { AuthenticatedRequest } from '../auth/principal.js';
import { requirePrincipal } from '../auth/principal.js';
import { ApiProblemResponses } from '../common/http/api-problem.decorator.js';
import { RateLimitsView } from './dto/rate-limits.view.js';
import type { ScopeLimitView } from './dto/rate-limits.view.js';
import { PeekRateLimits } from './rate-limit.decorator.js';
import { callerOf } from './rate-limit.guard.js';
import { RateLimitPolicy } from './rate-limit.policy.js';
import { RateLimitService } from './rate-limit.service.js';
import { limitOf, windowSecondsOf } from './rate-limit.types.js';
import type { ScopeStanding } from './rate-limit.types.js';

@ApiTags('rate-limits')
@ApiBearerAuth()
@Controller('api/v1/rate-limits')
export class RateLimitsController {
  constructor(
    private readonly policy: RateLimitPolicy,
    private readonly limits: RateLimitService,
  ) {}

  @Get()
  @PeekRateLimits()
  @ApiOperation({
    operationId: 'getRateLimits',
    summary: 'The caller’s standing in every rate-limit scope, consuming nothing',
  })
  @ApiOkResponse({ type: RateLimitsView })
  @ApiProblemResponses(401, 429)
  async standings(@Req() request: AuthenticatedRequest): Promise<RateLimitsView> {
    const { accountId } = requirePrincipal(request);
    const checks = this.policy.allChecksFor({ ...callerOf(request), accountId });
    const decision = await this.limits.standings(checks);

    return { limits: decision.standings.map((standing) => this.toView(standing, decision.nowMs)) };
  }

  private toView(standing: ScopeStanding, nowMs: number): ScopeLimitView {
    const { scope, rule } = standing.check;
    const view: ScopeLimitView = {
      scope,
      algorithm: rule.algorithm,
      limit: limitOf(rule),
      window_seconds: windowSecondsOf(rule),
      remaining: standing.remaining,
      reset_at: new Date(nowMs + standing.resetMs).toISOString(),
    };
    if (rule.algorithm === 'token_bucket') {
      view.capacity = rule.capacity;
      view.refill_per_second = rule.refillPerSecond;
    }

    return view;
  }
}
