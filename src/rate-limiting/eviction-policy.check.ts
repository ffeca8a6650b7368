import { Inject, Injectable, Logger } from '@nestjs/common';
import type { OnApplicationBootstrap } from '@nestjs/common';

import { REDIS_CLIENT } from '../redis/redis.module.js';
import type { RedisClient } from '../redis/redis.module.js';

/** Policies under which Redis may drop a live counter, silently lifting a limit early. */
const EVICTING = /^(allkeys|volatile)-/;

/** Whether `maxmemory-policy` lets Redis evict rate-limit counters (all of them carry a TTL). */
export function mayEvictCounters(policy: string): boolean {
  return EVICTING.test(policy);
}

/**
 * Looks once at startup whether Redis may evict counters, and warns if so. Managed Redis often
 * forbids CONFIG; then nothing is known and nothing is said beyond a debug line.
 */
@Injectable()
export class EvictionPolicyCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger(EvictionPolicyCheck.name);

  constructor(@Inject(REDIS_CLIENT) private readonly client: RedisClient | null) {}

  onApplicationBootstrap(): void {
    if (this.client) void this.check(this.client);
  }

  private async check(client: RedisClient): Promise<void> {
    try {
      const [, policy] = (await client.config('GET', 'maxmemory-policy')) as string[];
      if (policy && mayEvictCounters(policy)) {
        this.logger.warn(
          { maxmemoryPolicy: policy },
          'Redis may evict rate-limit counters under memory pressure; use noeviction',
        );
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.debug({ err: reason }, 'could not read maxmemory-policy');
    }
  }
}
