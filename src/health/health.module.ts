import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';

import { ProcessorModule } from '../processor/processor.module.js';
import { RateLimitingModule } from '../rate-limiting/rate-limiting.module.js';
import { DrainService } from './drain.service.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

/** Health probes and the drain state used by graceful shutdown. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), ProcessorModule, RateLimitingModule],
  controllers: [HealthController],
  providers: [HealthService, DrainService],
  exports: [DrainService],
})
export class HealthModule {}
