import { Logger } from '@nestjs/common';
import type { OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';

import { processorCallBudgetMs } from '../config/config.loader.js';
import type { AppConfig } from '../config/config.types.js';
import type { ChargeResult, PaymentProcessor } from '../processor/processor.port.js';
import type { PaymentsRepository, PendingPayment, Settlement } from './payments.repository.js';

/** Why a payment failed when the processor never received its charge. */
export const NEVER_RECEIVED_REASON = 'processor_never_received';

const BATCH_SIZE = 100;

export interface ReconcilerSettings {
  intervalMs: number;
  /** Pending payments younger than this may still be in flight, so they are not looked at. */
  minAgeMs: number;
  /** A payment the processor has no charge for is failed only once it is this old. */
  graceMs: number;
  batchSize: number;
}

export function reconcilerSettings(config: AppConfig): ReconcilerSettings {
  return {
    intervalMs: config.reconcile.intervalMs,
    minAgeMs: processorCallBudgetMs(config.processor),
    graceMs: config.reconcile.graceMs,
    batchSize: BATCH_SIZE,
  };
}

export type PendingPaymentStore = Pick<PaymentsRepository, 'findPending' | 'settlePending'>;
export type ChargeLookup = Pick<PaymentProcessor, 'lookup'>;

/** What the processor's record (or its absence) means for a payment of the given age. */
export function settlementFor(
  charge: ChargeResult | null,
  ageMs: number,
  graceMs: number,
): Settlement | null {
  if (charge === null) {
    if (ageMs < graceMs) return null;

    return { status: 'failed', processorReference: null, failureReason: NEVER_RECEIVED_REASON };
  }
  if (charge.outcome === 'declined') {
    return { status: 'failed', processorReference: charge.reference, failureReason: charge.reason };
  }

  return { status: 'succeeded', processorReference: charge.reference, failureReason: null };
}

/**
 * Settles payments left `pending` by a charge whose answer never came (a processor timeout, a
 * crash between charge and settlement). It asks the processor by processor key. Driven by the
 * database, it picks up after restarts; the conditional settle makes several instances safe.
 */
export class PaymentReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PaymentReconciler.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly store: PendingPaymentStore,
    private readonly processor: ChargeLookup,
    readonly settings: ReconcilerSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.reconcileOnce(), this.settings.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and lets a pass in progress finish before the database closes. */
  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass over the oldest pending payments; returns how many this instance settled. */
  async reconcileOnce(): Promise<number> {
    if (this.running) return 0;

    this.running = this.pass();
    try {
      return await this.running;
    } finally {
      this.running = null;
    }
  }

  private async pass(): Promise<number> {
    let pending: PendingPayment[];
    try {
      pending = await this.store.findPending(this.settings.minAgeMs, this.settings.batchSize);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not read pending payments; will retry next interval');
      return 0;
    }

    let settled = 0;
    for (const item of pending) if (await this.reconcile(item)) settled += 1;

    return settled;
  }

  private async reconcile({ payment, ageMs }: PendingPayment): Promise<boolean> {
    try {
      const charge = await this.processor.lookup(payment.processorKey);
      const settlement = settlementFor(charge, ageMs, this.settings.graceMs);
      if (settlement === null) return false;

      const applied = await this.store.settlePending(payment.id, settlement);
      if (applied) this.logSettled(payment.id, settlement, ageMs);

      return applied;
    } catch (error) {
      this.logger.warn(
        { err: error, transactionId: payment.id },
        'could not reconcile a pending payment; will retry next interval',
      );
      return false;
    }
  }

  private logSettled(transactionId: string, settlement: Settlement, ageMs: number): void {
    this.logger.log(
      {
        transactionId,
        status: settlement.status,
        failureReason: settlement.failureReason,
        ageMs: Math.round(ageMs),
      },
      'pending payment settled by reconciliation',
    );
  }
}
