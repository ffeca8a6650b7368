import { Global, Inject, Logger, Module } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { Cluster, Redis } from 'ioredis';

import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';

/** Injection token: an ioredis client or cluster, or null on embedded defaults. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

export type RedisClient = Redis | Cluster;

function clientOptions(config: AppConfig) {
  return {
    keyPrefix: config.redis.keyPrefix,
    commandTimeout: config.redis.commandTimeoutMs,
    connectTimeout: 2000,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: false,
    retryStrategy: (attempt: number) => Math.min(1000, 50 * 2 ** Math.min(attempt, 5)),
  };
}

/**
 * Builds the client. Commands fail fast (a bounded timeout, no offline queue) so a Redis outage
 * becomes a quick, handled error for the callers that fall back, never a hung request.
 */
export function createRedisClient(config: AppConfig): RedisClient | null {
  const logger = new Logger('Redis');
  const options = clientOptions(config);
  let client: RedisClient | null = null;
  if (config.redis.clusterNodes.length > 0) {
    client = new Cluster(config.redis.clusterNodes, {
      redisOptions: options,
      enableOfflineQueue: false,
      clusterRetryStrategy: options.retryStrategy,
    });
  } else if (config.redis.url !== null) {
    client = new Redis(config.redis.url, options);
  }

  if (client === null) {
    logger.warn({ mode: 'embedded' }, 'REDIS_URL is unset: in-process store, one instance only');
    return null;
  }

  client.on('error', (error: Error) => logger.warn({ err: error.message }, 'redis error'));

  return client;
}

class RedisLifecycle implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly client: RedisClient | null) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.client) return;

    await this.client.quit().catch(() => this.client?.disconnect());
  }
}

/** The shared Redis connection; absent (null) when the in-process store stands in. */
@Global()
@Module({
  providers: [
    { provide: REDIS_CLIENT, inject: [APP_CONFIG], useFactory: createRedisClient },
    RedisLifecycle,
  ],
  exports: [REDIS_CLIENT],
})
export class RedisModule {}
