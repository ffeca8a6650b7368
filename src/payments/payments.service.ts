import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { EntityManager } from 'typeorm';

import type { AuditEntry } from '../audit/audit-entry.js';
import { AuditService } from '../audit/audit.service.js';
import { ProcessorUnavailableError } from '../common/errors/payment-errors.js';
import type { ResumableOperation } from '../idempotency/resumable-operation.js';
import type { StoredResponse } from '../idempotency/stored-response.js';
import { PaymentMetrics } from '../metrics/payment-metrics.service.js';
import type { ChargeResult, SimulatedOutcome } from '../processor/processor.port.js';
import {
  ProcessorOutcomeUnknownError,
  ResilientProcessor,
} from '../processor/resilient.processor.js';
import type { CreatePaymentDto } from './dto/create-payment.dto.js';
import { toMinorUnits } from './money.js';
import type { PaymentEntity } from './payment.entity.js';
import { renderOutcome } from './payment.responses.js';
import { PaymentsRepository } from './payments.repository.js';

const SIMULATED_OUTCOMES = new Set<string>(['decline', 'error', 'timeout']);

/** The audit entry written in the payment's own transaction, and the news that it committed. */
export interface PaymentAudit {
  entryFor(payment: PaymentEntity, response: StoredResponse): AuditEntry;
  /** Called only after the transaction holding the entry committed. */
  committed(): void;
}

export interface CreatePaymentCommand {
  accountId: string;
  body: CreatePaymentDto;
  operation: ResumableOperation;
  simulationEnabled: boolean;
  /** Null when the request is not audited. */
  audit: PaymentAudit | null;
}

/**
 * Creates payments so that running the same operation again, after any crash, converges on one
 * payment and one charge: the payment id comes from the operation, the processor key from the
 * payment, and the processor deduplicates by that key.
 */
@Injectable()
export class PaymentsService {
  private readonly logger = new Logger(PaymentsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: PaymentsRepository,
    private readonly processor: ResilientProcessor,
    private readonly audit: AuditService,
    private readonly metrics: PaymentMetrics,
  ) {}

  async create(command: CreatePaymentCommand): Promise<StoredResponse> {
    const payment = await this.recordPending(command);
    if (payment.status !== 'pending') return this.finish(command, payment);

    const charged = await this.charge(payment, command);
    if (charged === null) return this.finish(command, payment);

    this.metrics.recordCharge(charged.outcome === 'succeeded' ? 'succeeded' : 'declined');

    return this.finish(command, this.applyResult(payment, charged));
  }

  private recordPending(command: CreatePaymentCommand): Promise<PaymentEntity> {
    const { body, operation, accountId } = command;

    return this.dataSource.transaction(async (manager) => {
      const payment = await this.repository.insertPendingOnce(manager, {
        id: operation.resourceId,
        accountId,
        amountMinor: toMinorUnits(body.amount, body.currency)!,
        currency: body.currency,
        description: body.description ?? null,
        paymentMethod: body.payment_method,
        metadata: body.metadata ?? {},
        idempotencyKey: operation.clientKey,
        processorKey: `pay_${operation.resourceId}`,
      });
      await operation.checkpoint(manager, 'payment_recorded');

      return payment;
    });
  }

  /** The processor's answer, or null when it is unknown (timed out) and must be reconciled. */
  private async charge(payment: PaymentEntity, command: CreatePaymentCommand) {
    try {
      return await this.processor.charge({
        processorKey: payment.processorKey,
        amountMinor: payment.amountMinor,
        currency: payment.currency,
        paymentMethod: payment.paymentMethod,
        simulate: this.simulatedOutcome(payment, command.simulationEnabled),
      });
    } catch (error) {
      if (error instanceof ProcessorUnavailableError) this.metrics.recordCharge('unavailable');
      if (!(error instanceof ProcessorOutcomeUnknownError)) throw error;

      this.logger.warn({ transactionId: payment.id }, 'processor timed out; payment left pending');
      return null;
    }
  }

  private applyResult(payment: PaymentEntity, result: ChargeResult): PaymentEntity {
    payment.processorReference = result.reference;
    payment.status = result.outcome === 'succeeded' ? 'succeeded' : 'failed';
    payment.failureReason = result.outcome === 'declined' ? result.reason : null;

    return payment;
  }

  /** Settles the payment, completes the operation and writes the audit entry, all or nothing. */
  private async finish(command: CreatePaymentCommand, payment: PaymentEntity) {
    const response = renderOutcome(payment);
    await this.dataSource.transaction(async (manager: EntityManager) => {
      await this.repository.settle(manager, payment);
      await command.operation.complete(manager, response);
      if (command.audit) {
        await this.audit.recordWithin(manager, command.audit.entryFor(payment, response));
      }
    });
    command.audit?.committed();

    return response;
  }

  private simulatedOutcome(payment: PaymentEntity, enabled: boolean): SimulatedOutcome | undefined {
    const wanted = payment.metadata.simulate;
    if (!enabled || typeof wanted !== 'string' || !SIMULATED_OUTCOMES.has(wanted)) return undefined;

    return wanted as SimulatedOutcome;
  }
}
