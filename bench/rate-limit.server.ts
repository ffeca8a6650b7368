/**
 * One benchmark server: a small Nest app with one route, `GET /api/v1/ping`, behind the guard
 * the case names. Every case identifies the same caller the same way, so only the guard
 * differs. `GET /cpu` reports this process's CPU time for the runner.
 */
import 'reflect-metadata';

import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Controller, Get, Global, Injectable, Module } from '@nestjs/common';
import type { CanActivate, DynamicModule, ExecutionContext, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import type { ThrottlerStorage } from '@nestjs/throttler';
import type { NextFunction, Request, Response } from 'express';
import { Redis } from 'ioredis';
import { Counter, Gauge } from 'prom-client';
import flexible from 'rate-limiter-flexible';

import { ProblemDetailsFilter } from '../src/common/http/problem-details.filter.js';
import { ConfigModule } from '../src/config/config.module.js';
import { loadConfig } from '../src/config/config.loader.js';
import type { AppConfig } from '../src/config/config.types.js';
import { METRIC, metricToken } from '../src/metrics/metric-names.js';
import { RateLimit } from '../src/rate-limiting/rate-limit.decorator.js';
import { RateLimitGuard } from '../src/rate-limiting/rate-limit.guard.js';
import { RateLimitingModule } from '../src/rate-limiting/rate-limiting.module.js';
import { RedisModule } from '../src/redis/redis.module.js';

export type BenchCase = 'plain' | 'guard' | 'throttler' | 'flexible';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ACCOUNT = 'bench-user';
const SCOPES = ['global', 'user', 'ip', 'endpoint', 'burst'] as const;

@Controller()
class BenchController {
  @Get('api/v1/ping')
  @RateLimit({ scope: 'endpoint' })
  ping() {
    return { ok: true };
  }

  @Get('cpu')
  cpu() {
    return process.cpuUsage();
  }
}

/**
 * The guard's two metrics on a registry of their own, without the metrics module's default
 * process metrics, which the other cases do not carry either.
 */
@Global()
@Module({
  providers: [
    {
      provide: metricToken(METRIC.rateLimitExceeded),
      useValue: new Counter({
        name: METRIC.rateLimitExceeded,
        help: 'bench',
        labelNames: ['scope', 'shadow'],
        registers: [],
      }),
    },
    {
      provide: metricToken(METRIC.rateLimitDegraded),
      useValue: new Gauge({ name: METRIC.rateLimitDegraded, help: 'bench', registers: [] }),
    },
  ],
  exports: [metricToken(METRIC.rateLimitExceeded), metricToken(METRIC.rateLimitDegraded)],
})
class BenchMetricsModule {}

function trackerOf(scope: (typeof SCOPES)[number], request: { ip?: string }): string {
  if (scope === 'global') return 'global';
  if (scope === 'ip') return request.ip ?? 'unknown';

  return ACCOUNT;
}

/** Five rate-limiter-flexible limiters asked together, as RateLimiterUnion would. */
@Injectable()
class FlexibleGuard implements CanActivate {
  private readonly limiters: {
    scope: (typeof SCOPES)[number];
    limiter: flexible.RateLimiterRedis;
  }[];

  constructor(redis: Redis, points: number) {
    this.limiters = SCOPES.map((scope) => ({
      scope,
      limiter: new flexible.RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `flex:${scope}`,
        points,
        duration: 60,
      }),
    }));
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    await Promise.all(
      this.limiters.map(({ scope, limiter }) => limiter.consume(trackerOf(scope, request))),
    );

    return true;
  }
}

function throttlerStorage(url: string): ThrottlerStorage {
  const requireFromBench = createRequire(resolve(ROOT, 'bench/package.json'));
  const { ThrottlerStorageRedisService } = requireFromBench(
    '@nest-lab/throttler-storage-redis',
  ) as { ThrottlerStorageRedisService: new (redis: Redis) => ThrottlerStorage };

  return new ThrottlerStorageRedisService(new Redis(url));
}

function caseImports(benchCase: BenchCase, config: AppConfig): DynamicModule['imports'] {
  if (benchCase === 'guard') {
    return [ConfigModule.forRoot(config), BenchMetricsModule, RedisModule, RateLimitingModule];
  }
  if (benchCase !== 'throttler') return [];

  const limit = config.rateLimits.global.limit;
  return [
    ThrottlerModule.forRoot({
      throttlers: SCOPES.map((name) => ({
        name,
        limit,
        ttl: 60_000,
        getTracker: (request: Record<string, unknown>) => trackerOf(name, request),
      })),
      storage: throttlerStorage(config.redis.url!),
    }),
  ];
}

function caseGuards(benchCase: BenchCase, config: AppConfig): Provider[] {
  if (benchCase === 'guard') return [{ provide: APP_GUARD, useExisting: RateLimitGuard }];
  if (benchCase === 'throttler') return [{ provide: APP_GUARD, useClass: ThrottlerGuard }];
  if (benchCase === 'flexible') {
    const guard = new FlexibleGuard(new Redis(config.redis.url!), config.rateLimits.global.limit);
    return [{ provide: APP_GUARD, useValue: guard }];
  }

  return [];
}

@Module({})
class BenchModule {
  static forCase(benchCase: BenchCase, config: AppConfig): DynamicModule {
    return {
      module: BenchModule,
      imports: caseImports(benchCase, config),
      controllers: [BenchController],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        ...caseGuards(benchCase, config),
      ],
    };
  }
}

/** Stands in for API-key authentication, the same in every case. */
function identify(request: Request, _response: Response, next: NextFunction): void {
  (request as Request & { principal: unknown }).principal = { accountId: ACCOUNT, keyId: 'k' };
  next();
}

async function main(): Promise<void> {
  const benchCase = process.argv[2] as BenchCase;
  const config = loadConfig();
  const app = await NestFactory.create<NestExpressApplication>(
    BenchModule.forCase(benchCase, config),
    { logger: ['error'] },
  );
  app.disable('x-powered-by');
  app.use(identify);
  await app.listen(config.port, '127.0.0.1');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void app.close().finally(() => process.exit(0)));
  }
  process.stdout.write('ready\n');
}

void main();
