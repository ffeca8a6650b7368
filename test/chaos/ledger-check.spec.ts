import { checkLedger, sentKey } from '../../bench/harness/ledger-check.js';
import type { Acknowledgement } from '../../bench/harness/ledger-check.js';
import type { SqlReader } from '../../bench/harness/sql.js';

type Row = Record<string, unknown>;

/** One settled, charged, audited payment; `overrides` break it in the way a test needs. */
function payment(id: string, key: string, overrides: Row = {}): Row {
  return {
    id,
    account_id: 'acct',
    idempotency_key: key,
    status: 'succeeded',
    failure_reason: null,
    processor_reference: `ref-${id}`,
    amount_minor: '1250',
    charge_outcome: 'succeeded',
    charge_reference: `ref-${id}`,
    charge_amount: '1250',
    payments_for_key: 1,
    key_state: 'completed',
    audit_entries: 1,
    ...overrides,
  };
}

/** Answers the checker's three queries from fixed rows. */
function reader(payments: Row[], orphans = 0): SqlReader {
  return {
    query: async <T>(sql: string) => {
      if (sql.includes('NOT EXISTS')) return [{ n: orphans }] as T[];
      if (sql.includes('FROM payments p')) return payments as T[];
      return [{ n: payments.filter((p) => p.charge_outcome !== null).length }] as T[];
    },
    close: async () => undefined,
  };
}

function ack(key: string, transactionId: string, overrides: Partial<Acknowledgement> = {}) {
  return {
    account: 'acct',
    key,
    transactionId,
    httpStatus: 201,
    bodyStatus: 'succeeded',
    ...overrides,
  } as Acknowledgement;
}

const sent = (...keys: string[]) => new Set(keys.map((key) => sentKey('acct', key)));

describe('the ledger checker behind npm run load and npm run chaos', () => {
  it('passes a consistent ledger', async () => {
    const report = await checkLedger(
      reader([
        payment('p1', 'k1'),
        payment('p2', 'k2', { key_state: 'in_progress', audit_entries: 0 }),
      ]),
      [ack('k1', 'p1')],
      sent('k1', 'k2'),
    );

    expect(report.violations).toEqual([]);
    expect(report).toMatchObject({ payments: 2, charges: 2, unfinished: 1, acknowledged: 1 });
  });

  it.each([
    [
      'two payments for one key',
      [payment('p1', 'k1', { payments_for_key: 2 }), payment('p2', 'k1', { payments_for_key: 2 })],
      /several payments for one key/,
    ],
    [
      'a succeeded payment without a charge',
      [payment('p1', 'k1', { charge_outcome: null, charge_reference: null })],
      /ledger disagrees/,
    ],
    [
      'a charge for another amount',
      [payment('p1', 'k1', { charge_amount: '999' })],
      /amount differs/,
    ],
    [
      'a never-received failure that was charged',
      [payment('p1', 'k1', { status: 'failed', failure_reason: 'processor_never_received' })],
      /yet charged/,
    ],
    [
      'a completed payment without its audit entry',
      [payment('p1', 'k1', { audit_entries: 0 })],
      /audit entry/,
    ],
    [
      'a payment without its idempotency record',
      [payment('p1', 'k1', { key_state: null })],
      /idempotency record/,
    ],
  ])('flags %s', async (_name, rows, expected) => {
    const report = await checkLedger(reader(rows), [], sent('k1'));

    expect(report.violations.join('\n')).toMatch(expected);
  });

  it('flags an acknowledged payment that is missing, or stored under another id', async () => {
    const report = await checkLedger(
      reader([payment('p1', 'k1')]),
      [ack('k1', 'p-other'), ack('k2', 'p2')],
      sent('k1', 'k2'),
    );

    expect(report.violations.join('\n')).toMatch(/acknowledged id differs/);
    expect(report.violations.join('\n')).toMatch(/acknowledged payment not stored exactly once/);
  });

  it('flags a payment under a key no client sent, and charges without a payment', async () => {
    const report = await checkLedger(reader([payment('p1', 'k1')], 2), [], sent('other-key'));

    expect(report.violations.join('\n')).toMatch(/key no client sent/);
    expect(report.violations.join('\n')).toMatch(/charges without a payment: 1/);
  });
});
