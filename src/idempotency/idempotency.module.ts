import { Module } from '@nestjs/common';

import { IdempotencyCache } from './idempotency-cache.js';
import { IdempotencyCleanupJob } from './idempotency-cleanup.job.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotentExecutor } from './idempotent-executor.js';
import { IdempotencyService } from './idempotency.service.js';

@Module({
  providers: [
    IdempotencyService,
    IdempotencyCache,
    IdempotentExecutor,
    IdempotencyInterceptor,
    IdempotencyCleanupJob,
  ],
  exports: [IdempotencyService, IdempotentExecutor, IdempotencyInterceptor, IdempotencyCleanupJob],
})
export class IdempotencyModule {}
