import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AuditModule } from '../audit/audit.module.js';
import { IdempotencyModule } from '../idempotency/idempotency.module.js';
import { ProcessorModule } from '../processor/processor.module.js';
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
  providers: [PaymentsService, PaymentsRepository],
  exports: [PaymentsService],
})
export class PaymentsModule {}
