import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AuditModule } from '../audit/audit.module.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { ProcessorModule } from '../processor/processor.module.js';
import { ResilientProcessor } from '../processor/resilient.processor.js';
import { PaymentReconciler, reconcilerSettings } from './payment-reconciler.job.js';
import { PaymentEntity } from './payment.entity.js';
import { PaymentsController } from './payments.controller.js';
import { PaymentsRepository } from './payments.repository.js';
import { PaymentsService } from './payments.service.js';
import { SimulationController } from './simulation.controller.js';

@Module({
  imports: [
    TypeOrmModule.forFeature([PaymentEntity]),
    IdempotencyModule,
    ProcessorModule,
    AuditModule,
  ],
  controllers: [PaymentsController, SimulationController],
  providers: [
    PaymentsService,
    PaymentsRepository,
    {
      provide: PaymentReconciler,
      inject: [PaymentsRepository, ResilientProcessor, APP_CONFIG],
      useFactory: (
        repository: PaymentsRepository,
        processor: ResilientProcessor,
        config: AppConfig,
      ) => new PaymentReconciler(repository, processor, reconcilerSettings(config)),
    },
  ],
  exports: [PaymentsService],
})
export class PaymentsModule {}
