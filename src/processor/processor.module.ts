import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { ProcessorChargeEntity } from './processor-charge.entity.js';
import { ProcessorMetrics } from './processor-metrics.js';
import { PAYMENT_PROCESSOR } from './processor.port.js';
import type { PaymentProcessor } from './processor.port.js';
import { resilienceSettings } from './resilience-settings.js';
import { ResilientProcessor } from './resilient.processor.js';
import { SimulatedProcessor } from './simulated.processor.js';

/** The processor port, the simulated network behind it, and the resilient wrapper callers use. */
@Module({
  imports: [TypeOrmModule.forFeature([ProcessorChargeEntity])],
  providers: [
    SimulatedProcessor,
    { provide: PAYMENT_PROCESSOR, useExisting: SimulatedProcessor },
    {
      provide: ResilientProcessor,
      inject: [PAYMENT_PROCESSOR, APP_CONFIG],
      useFactory: (processor: PaymentProcessor, config: AppConfig) =>
        new ResilientProcessor(processor, resilienceSettings(config)),
    },
    ProcessorMetrics,
  ],
  exports: [ResilientProcessor],
})
export class ProcessorModule {}
