import { Module } from '@nestjs/common';

import { IdempotencyCleanupJob } from './idempotency-cleanup.job.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';
import { IdempotencyService } from './idempotency.service.js';

@Module({
  providers: [IdempotencyService, IdempotencyInterceptor, IdempotencyCleanupJob],
  exports: [IdempotencyService, IdempotencyInterceptor, IdempotencyCleanupJob],
})
export class IdempotencyModule {}
