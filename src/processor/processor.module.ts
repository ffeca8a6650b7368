import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { ProcessorChargeEntity } from './processor-charge.entity.js';
import { ProcessorMetrics } from './processor-metrics.js';
import { PAYMENT_PROCESSOR } from './processor.port.js';
import { ResilientProcessor } from './resilient.processor.js';
import { SimulatedProcessor } from './simulated.processor.js';

/** The processor port, the simulated network behind it, and the resilient wrapper callers use. */
@Module({
  imports: [TypeOrmModule.forFeature([ProcessorChargeEntity])],
  providers: [
    SimulatedProcessor,
    { provide: PAYMENT_PROCESSOR, useExisting: SimulatedProcessor },
    ResilientProcessor,
    ProcessorMetrics,
  ],
  exports: [ResilientProcessor],
})
export class ProcessorModule {}
