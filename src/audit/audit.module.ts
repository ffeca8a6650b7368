import { Module } from '@nestjs/common';
import type { MiddlewareConsumer, NestModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { AuditLogEntity } from './audit-log.entity.js';
import { AuditLogRepository } from './audit-log.repository.js';
import { AuditLogsController } from './audit-logs.controller.js';
import { AuditRetentionJob } from './audit-retention.job.js';
import { AuditTrailMiddleware } from './audit-trail.middleware.js';
import { AuditService } from './audit.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([AuditLogEntity])],
  controllers: [AuditLogsController],
  providers: [AuditService, AuditTrailMiddleware, AuditLogRepository, AuditRetentionJob],
  exports: [AuditService],
})
export class AuditModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(AuditTrailMiddleware)
      .forRoutes('api/v1/payments', 'api/v1/payments/*path', 'api/v1/simulate-concurrent');
  }
}
