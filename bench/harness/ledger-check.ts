import type { SqlReader } from './sql.js';
import { Violations } from './violations.js';

/** One payment with what the processor ledger, the idempotency record and the audit say. */
interface PaymentFacts {
  id: string;
  account_id: string;
  idempotency_key: string;
  status: 'pending' | 'succeeded' | 'failed';
  failure_reason: string | null;
  processor_reference: string | null;
  amount_minor: string;
  charge_outcome: 'succeeded' | 'declined' | null;
  charge_reference: string | null;
  charge_amount: string | null;
  payments_for_key: number;
  key_state: 'in_progress' | 'completed' | null;
  audit_entries: number;
}

const PAYMENT_FACTS_SQL = `
  WITH audited AS (
    SELECT transaction_id, count(*)::int AS n FROM audit_logs
    WHERE action = 'payment.create' AND outcome IN ('created', 'declined')
      AND transaction_id IS NOT NULL
    GROUP BY transaction_id)
  SELECT p.id::text, p.account_id, p.idempotency_key, p.status, p.failure_reason,
         p.processor_reference, p.amount_minor::text,
         c.outcome AS charge_outcome, c.reference::text AS charge_reference,
         c.amount_minor::text AS charge_amount,
         (count(*) OVER (PARTITION BY p.account_id, p.idempotency_key))::int AS payments_for_key,
         k.state AS key_state, coalesce(a.n, 0) AS audit_entries
  FROM payments p
  LEFT JOIN processor_charges c ON c.processor_key = p.processor_key
  LEFT JOIN idempotency_keys k
    ON k.account_id = p.account_id AND k.idempotency_key = p.idempotency_key
  LEFT JOIN audited a ON a.transaction_id = p.id`;

const ORPHAN_CHARGES_SQL = `
  SELECT count(*)::int AS n FROM processor_charges c
  WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.processor_key = c.processor_key)`;

const NEVER_RECEIVED = 'processor_never_received';

/** What a client was told about one logical payment: the answer that ended its call. */
export interface Acknowledgement {
  account: string;
  key: string;
  transactionId: string;
  httpStatus: 201 | 402;
  /** The payment's status in the 201 body; null for a 402. */
  bodyStatus: 'pending' | 'succeeded' | 'failed' | null;
}

export interface LedgerReport {
  payments: number;
  byStatus: Record<string, number>;
  charges: number;
  pendingWithCharge: number;
  pendingWithoutCharge: number;
  /** Payments whose key never completed (a client stopped retrying); fine if unacknowledged. */
  unfinished: number;
  acknowledged: number;
  auditEntries: number;
  violations: string[];
}

/** How `sentKeys` names one (account, key). */
export function sentKey(account: string, key: string): string {
  return `${account}\u0000${key}`;
}

/** The processor's ledger agrees with the payment's state, or says why not. */
function ledgerMismatch(p: PaymentFacts): string | null {
  if (p.status === 'pending') return null;
  if (p.status === 'succeeded') {
    if (p.charge_outcome !== 'succeeded') return `succeeded without a charge (${p.charge_outcome})`;
    if (p.charge_reference !== p.processor_reference) return 'reference differs from the charge';
    if (p.charge_amount !== p.amount_minor) return 'amount differs from the charge';
    return null;
  }
  if (p.failure_reason === NEVER_RECEIVED) {
    return p.charge_outcome === null ? null : 'failed as never received, yet charged';
  }

  return p.charge_outcome === 'declined' ? null : `failed but ledger says ${p.charge_outcome}`;
}

function checkPayment(p: PaymentFacts, sent: Set<string> | null, violations: Violations): void {
  const where = `${p.id} (${p.account_id})`;
  if (p.payments_for_key > 1) violations.add('several payments for one key', where);
  if (sent && !sent.has(sentKey(p.account_id, p.idempotency_key))) {
    violations.add('payment under a key no client sent', where);
  }
  const mismatch = ledgerMismatch(p);
  if (mismatch) violations.add('ledger disagrees with payment', `${where}: ${mismatch}`);
  if (p.key_state === null) violations.add('payment without its idempotency record', where);
  if (p.key_state === 'completed' && p.audit_entries !== 1) {
    violations.add(
      'completed payment without exactly one audit entry',
      `${where}: ${p.audit_entries}`,
    );
  }
}

function checkAcknowledgement(
  ack: Acknowledgement,
  byKey: Map<string, PaymentFacts[]>,
  violations: Violations,
): void {
  const rows = byKey.get(sentKey(ack.account, ack.key)) ?? [];
  const where = `${ack.key} (${ack.account})`;
  if (rows.length !== 1) {
    violations.add('acknowledged payment not stored exactly once', `${where}: ${rows.length}`);
    return;
  }

  const [row] = rows;
  if (row.id !== ack.transactionId) violations.add('acknowledged id differs from stored', where);
  if (row.key_state !== 'completed') violations.add('acknowledged key not completed', where);
  if (ack.httpStatus === 402 && row.status !== 'failed') {
    violations.add('declined payment not failed', `${where}: ${row.status}`);
  }
  if (ack.bodyStatus === 'succeeded' && row.status !== 'succeeded') {
    violations.add('succeeded payment changed state', `${where}: ${row.status}`);
  }
}

function countBy<T>(items: T[], label: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[label(item)] = (counts[label(item)] ?? 0) + 1;

  return counts;
}

/**
 * Reads every payment with its ledger row, idempotency record and audit entries, and checks:
 * at most one payment per (account, key); a ledger that agrees with each settled payment; no
 * charge without a payment; one in-transaction audit entry per completed payment; and that
 * every acknowledged payment is stored exactly once, as acknowledged. `sentKeys` (account and
 * key joined by NUL), when given, also flags payments under keys no client sent.
 */
export async function checkLedger(
  reader: SqlReader,
  acknowledged: Acknowledgement[],
  sentKeys: Set<string> | null,
): Promise<LedgerReport> {
  const payments = await reader.query<PaymentFacts>(PAYMENT_FACTS_SQL);
  const [{ n: orphans }] = await reader.query<{ n: number }>(ORPHAN_CHARGES_SQL);
  const [{ n: charges }] = await reader.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM processor_charges',
  );
  const violations = new Violations();

  const byKey = new Map<string, PaymentFacts[]>();
  for (const payment of payments) {
    checkPayment(payment, sentKeys, violations);
    const key = sentKey(payment.account_id, payment.idempotency_key);
    byKey.set(key, [...(byKey.get(key) ?? []), payment]);
  }
  for (const ack of acknowledged) checkAcknowledgement(ack, byKey, violations);
  if (orphans > 0) violations.add('charges without a payment', `${orphans} ledger rows`);

  const pending = payments.filter((p) => p.status === 'pending');

  return {
    payments: payments.length,
    byStatus: countBy(payments, (p) => p.status),
    charges,
    pendingWithCharge: pending.filter((p) => p.charge_outcome !== null).length,
    pendingWithoutCharge: pending.filter((p) => p.charge_outcome === null).length,
    unfinished: payments.filter((p) => p.key_state === 'in_progress').length,
    acknowledged: acknowledged.length,
    auditEntries: payments.reduce((sum, p) => sum + p.audit_entries, 0),
    violations: violations.list(),
  };
}
