import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';

import { ProcessorModule } from '../processor/processor.module.js';
import { DrainService } from './drain.service.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

/**
 * Health probes and the drain state used by graceful shutdown. A rate limiter that reports its
 * health provides RATE_LIMIT_HEALTH (see health.tokens.ts); import its module here.
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), ProcessorModule],
  controllers: [HealthController],
  providers: [HealthService, DrainService],
  exports: [DrainService],
})
export class HealthModule {}
