import { Module } from '@nestjs/common';

import { RATE_LIMIT_HEALTH } from '../common/health/dependency-health.js';
import { REDIS_CLIENT } from '../redis/redis.module.js';
import type { RedisClient } from '../redis/redis.module.js';
import { EvictionPolicyCheck } from './eviction-policy.check.js';
import { MemoryRateLimitStore, systemClock } from './memory-rate-limit.store.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { RateLimitPolicy } from './rate-limit.policy.js';
import { RATE_LIMIT_BACKEND, RateLimitService } from './rate-limit.service.js';
import type { RateLimitBackend } from './rate-limit.service.js';
import { RateLimitsController } from './rate-limits.controller.js';
import { RedisRateLimitStore } from './redis-rate-limit.store.js';
import { RetryConfigController } from './retry-config.controller.js';

function createBackend(client: RedisClient | null): RateLimitBackend {
  return {
    shared: client ? new RedisRateLimitStore(client) : null,
    local: new MemoryRateLimitStore(),
    clock: systemClock,
  };
}

/**
 * Rate limits for every API route (the guard, registered globally before the API-key guard),
 * plus the rate-limits and retry-config routes. `RateLimitService.health()` reports whether the
 * limits are shared, embedded or falling back.
 */
@Module({
  controllers: [RateLimitsController, RetryConfigController],
  providers: [
    { provide: RATE_LIMIT_BACKEND, inject: [REDIS_CLIENT], useFactory: createBackend },
    RateLimitPolicy,
    RateLimitService,
    RateLimitGuard,
    EvictionPolicyCheck,
    { provide: RATE_LIMIT_HEALTH, useExisting: RateLimitService },
  ],
  exports: [RateLimitService, RateLimitGuard, RATE_LIMIT_HEALTH],
})
export class RateLimitingModule {}
