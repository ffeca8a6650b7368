import { afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';

import type { ChargeResult } from '../processor/processor.port.js';
import { NEVER_RECEIVED_REASON, PaymentReconciler } from './payment-reconciler.job.js';
import type { ReconcilerSettings } from './payment-reconciler.job.js';
import type { PaymentEntity } from './payment.entity.js';
import type { PendingPayment, Settlement } from './payments.repository.js';

const SETTINGS: ReconcilerSettings = {
  intervalMs: 1000,
  minAgeMs: 500,
  graceMs: 10_000,
  batchSize: 10,
};

interface Row {
  id: string;
  status: string;
  ageMs: number;
  settlement?: Settlement;
}

/** Payments in memory, with the same conditional settle as the repository's SQL. */
class FakeStore {
  readonly rows = new Map<string, Row>();
  settleCalls = 0;

  add(id: string, ageMs: number): void {
    this.rows.set(id, { id, status: 'pending', ageMs });
  }

  async findPending(minAgeMs: number, limit: number): Promise<PendingPayment[]> {
    return [...this.rows.values()]
      .filter((row) => row.status === 'pending' && row.ageMs >= minAgeMs)
      .slice(0, limit)
      .map((row) => ({
        payment: { id: row.id, processorKey: `pay_${row.id}` } as PaymentEntity,
        ageMs: row.ageMs,
      }));
  }

  async settlePending(id: string, settlement: Settlement): Promise<boolean> {
    this.settleCalls += 1;
    const row = this.rows.get(id);
    if (!row || row.status !== 'pending') return false;

    row.status = settlement.status;
    row.settlement = settlement;

    return true;
  }
}

/** The processor's ledger: a result per processor key; a key listed in `broken` throws. */
class FakeLedger {
  readonly charges = new Map<string, ChargeResult>();
  readonly broken = new Set<string>();
  lookups = 0;

  async lookup(processorKey: string): Promise<ChargeResult | null> {
    this.lookups += 1;
    if (this.broken.has(processorKey)) throw new Error('processor unreachable');

    return this.charges.get(processorKey) ?? null;
  }
}

function setup(settings: Partial<ReconcilerSettings> = {}) {
  const store = new FakeStore();
  const ledger = new FakeLedger();
  const reconciler = new PaymentReconciler(store, ledger, { ...SETTINGS, ...settings });

  return { store, ledger, reconciler };
}

beforeAll(() => Logger.overrideLogger(false));

afterEach(() => {
  jest.useRealTimers();
});

describe('PaymentReconciler.reconcileOnce', () => {
  it('settles a payment the processor charged as succeeded, with its reference', async () => {
    const { store, ledger, reconciler } = setup();
    store.add('a', 1000);
    ledger.charges.set('pay_a', { outcome: 'succeeded', reference: 'ref-a' });

    expect(await reconciler.reconcileOnce()).toBe(1);

    expect(store.rows.get('a')?.settlement).toEqual({
      status: 'succeeded',
      processorReference: 'ref-a',
      failureReason: null,
    });
  });

  it('settles a declined charge as failed with the decline reason', async () => {
    const { store, ledger, reconciler } = setup();
    store.add('d', 1000);
    ledger.charges.set('pay_d', {
      outcome: 'declined',
      reference: 'ref-d',
      reason: 'card_declined',
    });

    await reconciler.reconcileOnce();

    expect(store.rows.get('d')?.settlement).toEqual({
      status: 'failed',
      processorReference: 'ref-d',
      failureReason: 'card_declined',
    });
  });

  it('leaves a payment the processor never saw pending until the grace is over', async () => {
    const { store, reconciler } = setup();
    store.add('young', SETTINGS.graceMs - 1);
    store.add('old', SETTINGS.graceMs);

    expect(await reconciler.reconcileOnce()).toBe(1);

    expect(store.rows.get('young')?.status).toBe('pending');
    expect(store.rows.get('old')?.settlement).toEqual({
      status: 'failed',
      processorReference: null,
      failureReason: NEVER_RECEIVED_REASON,
    });
  });

  it('does not look at payments younger than the minimum age', async () => {
    const { store, ledger, reconciler } = setup();
    store.add('in-flight', SETTINGS.minAgeMs - 1);

    expect(await reconciler.reconcileOnce()).toBe(0);

    expect(ledger.lookups).toBe(0);
  });

  it('counts nothing when another instance settled the payment first', async () => {
    const { store, ledger, reconciler } = setup();
    store.add('raced', 1000);
    ledger.charges.set('pay_raced', { outcome: 'succeeded', reference: 'r' });
    const other = new PaymentReconciler(store, ledger, SETTINGS);

    const [mine, theirs] = await Promise.all([reconciler.reconcileOnce(), other.reconcileOnce()]);

    expect(mine + theirs).toBe(1);
    expect(store.settleCalls).toBe(2);
  });

  it('goes on with the other payments when one lookup fails', async () => {
    const { store, ledger, reconciler } = setup();
    store.add('broken', 2000);
    store.add('fine', 1000);
    ledger.broken.add('pay_broken');
    ledger.charges.set('pay_fine', { outcome: 'succeeded', reference: 'r' });

    expect(await reconciler.reconcileOnce()).toBe(1);

    expect(store.rows.get('broken')?.status).toBe('pending');
    expect(store.rows.get('fine')?.status).toBe('succeeded');
  });

  it('survives a store that cannot be read', async () => {
    const { store, reconciler } = setup();
    store.findPending = () => Promise.reject(new Error('database down'));

    await expect(reconciler.reconcileOnce()).resolves.toBe(0);
  });

  it('skips a pass while the previous one is still running', async () => {
    const { store, ledger, reconciler } = setup();
    store.add('slow', 1000);
    let finishLookup: (result: ChargeResult | null) => void = () => undefined;
    ledger.lookup = () => new Promise((done) => (finishLookup = done));

    const first = reconciler.reconcileOnce();
    const second = await reconciler.reconcileOnce();
    finishLookup({ outcome: 'succeeded', reference: 'r' });

    expect(second).toBe(0);
    expect(await first).toBe(1);
  });
});

describe('PaymentReconciler schedule', () => {
  it('runs every interval after bootstrap and stops on shutdown', async () => {
    jest.useFakeTimers();
    const { store, ledger, reconciler } = setup();
    ledger.charges.set('pay_a', { outcome: 'succeeded', reference: 'r' });
    ledger.charges.set('pay_b', { outcome: 'succeeded', reference: 'r' });
    reconciler.onApplicationBootstrap();

    store.add('a', 1000);
    await jest.advanceTimersByTimeAsync(SETTINGS.intervalMs);
    expect(store.rows.get('a')?.status).toBe('succeeded');

    await reconciler.onModuleDestroy();
    store.add('b', 1000);
    await jest.advanceTimersByTimeAsync(SETTINGS.intervalMs * 3);
    expect(store.rows.get('b')?.status).toBe('pending');
  });

  it('does not keep the process alive', () => {
    const { reconciler } = setup();
    reconciler.onApplicationBootstrap();
    const timer = (reconciler as unknown as { timer: NodeJS.Timeout }).timer;

    expect(timer.hasRef()).toBe(false);

    return reconciler.onModuleDestroy();
  });
});
