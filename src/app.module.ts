import { Module } from '@nestjs/common';
import type { DynamicModule, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';

import { ApiKeyGuard } from './auth/api-key.guard.js';
import { AuthModule } from './auth/auth.module.js';
import { BodyProblemGuard } from './common/http/body-problem.guard.js';
import { ProblemDetailsFilter } from './common/http/problem-details.filter.js';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/config.types.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { loggerParams } from './logging.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PaymentsModule } from './payments/payments.module.js';
import { RateLimitGuard } from './rate-limiting/rate-limit.guard.js';
import { RateLimitingModule } from './rate-limiting/rate-limiting.module.js';
import { RedisModule } from './redis/redis.module.js';

/** Wires the feature modules; global guards run in the order listed. */
@Module({})
export class AppModule {
  /** `extra` lets the benchmark add its comparison routes to the real application. */
  static forRoot(config: AppConfig, extra: Type<unknown>[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config)),
        MetricsModule,
        DatabaseModule,
        RedisModule,
        AuthModule,
        RateLimitingModule,
        PaymentsModule,
        HealthModule,
        ...extra,
      ],
      providers: [
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_GUARD, useExisting: RateLimitGuard },
        { provide: APP_GUARD, useClass: BodyProblemGuard },
        { provide: APP_GUARD, useExisting: ApiKeyGuard },
      ],
    };
  }
}
