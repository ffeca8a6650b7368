import type { AuditAction, AuditOutcome } from './audit-log.entity.js';
import type { AuditCursor } from './audit-cursor.js';
import type { AuditEntry } from './audit-entry.js';

export interface AuditPageFilter {
  accountId: string;
  limit: number;
  cursor?: AuditCursor;
  from?: string;
  to?: string;
  action?: AuditAction;
  outcome?: AuditOutcome;
}

export interface AuditLogRow {
  id: string;
  occurred_at: Date;
  occurred_micros: string;
  action: string;
  outcome: string;
  status_code: number;
  request_id: string;
  ip: string | null;
  method: string;
  path: string;
  idempotency_key: string | null;
  transaction_id: string | null;
  latency_ms: number | null;
}

/** Qualified with the table alias, so ORDER BY reaches the bigint id, not its text output. */
const COLUMNS = `l.id::text AS id, l.occurred_at,
  (extract(epoch FROM l.occurred_at) * 1000000)::bigint::text AS occurred_micros,
  l.action, l.outcome, l.status_code, l.request_id, l.ip, l.method, l.path, l.idempotency_key,
  l.transaction_id::text AS transaction_id, l.latency_ms`;

/**
 * One page of an account's entries, newest first, fetching one extra row to tell whether a
 * next page exists. The account is always the first condition, and every other condition is
 * either a range on the index's next columns (account_id, occurred_at DESC, id DESC) or a
 * filter on rows already found through it, so the plan stays an index scan without a sort.
 */
export function auditPageQuery(filter: AuditPageFilter): { text: string; values: unknown[] } {
  const values: unknown[] = [filter.accountId];
  const where = ['l.account_id = $1'];
  const param = (value: unknown) => `$${values.push(value)}`;

  if (filter.from !== undefined) where.push(`l.occurred_at >= ${param(filter.from)}::timestamptz`);
  if (filter.to !== undefined) where.push(`l.occurred_at < ${param(filter.to)}::timestamptz`);
  if (filter.action !== undefined) where.push(`l.action = ${param(filter.action)}`);
  if (filter.outcome !== undefined) where.push(`l.outcome = ${param(filter.outcome)}`);
  if (filter.cursor !== undefined) {
    const micros = param(filter.cursor.occurredMicros);
    const id = param(filter.cursor.id);
    where.push(
      `(l.occurred_at, l.id) < ` +
        `('epoch'::timestamptz + ${micros}::bigint * interval '1 microsecond', ` +
        `${id}::bigint)`,
    );
  }

  const limit = param(filter.limit + 1);
  const text =
    `SELECT ${COLUMNS} FROM audit_logs l WHERE ${where.join(' AND ')} ` +
    `ORDER BY l.occurred_at DESC, l.id DESC LIMIT ${limit}`;

  return { text, values };
}

/**
 * Deletes up to $2 entries older than $1. Runs in a transaction that first set
 * `audit.retention_cutoff` to the same $1 locally; the append-only trigger allows nothing else.
 */
export const RETENTION_DELETE_SQL = `
  DELETE FROM audit_logs WHERE id IN (
    SELECT id FROM audit_logs WHERE occurred_at < $1::timestamptz ORDER BY occurred_at LIMIT $2
  )`;

/** `SET LOCAL audit.retention_cutoff = $1`, written with set_config so the value is a parameter. */
export const SET_RETENTION_CUTOFF_SQL = `SELECT set_config('audit.retention_cutoff', $1, true)`;

/** Columns of a batch insert, in the order of {@link INSERT_BATCH_SQL}'s arrays. */
const BATCH_COLUMNS = [
  ['occurred_at', 'timestamptz'],
  ['account_id', 'varchar'],
  ['action', 'varchar'],
  ['outcome', 'varchar'],
  ['status_code', 'integer'],
  ['request_id', 'varchar'],
  ['ip', 'varchar'],
  ['method', 'varchar'],
  ['path', 'varchar'],
  ['idempotency_key', 'varchar'],
  ['transaction_id', 'uuid'],
  ['latency_ms', 'integer'],
] as const;

/**
 * One statement for a whole batch: one array parameter per column, zipped by `unnest`. It
 * costs a fraction of building a multi-row insert through the ORM, which matters when a flood
 * of refusals is being recorded.
 */
export const INSERT_BATCH_SQL = `
  INSERT INTO audit_logs (${BATCH_COLUMNS.map(([name]) => name).join(', ')})
  SELECT * FROM unnest(${BATCH_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})`;

/** The parameters of {@link INSERT_BATCH_SQL} for these entries. */
export function batchParameters(entries: AuditEntry[]): unknown[][] {
  return [
    entries.map((e) => e.occurredAt ?? new Date()),
    entries.map((e) => e.accountId),
    entries.map((e) => e.action),
    entries.map((e) => e.outcome),
    entries.map((e) => e.statusCode),
    entries.map((e) => e.requestId),
    entries.map((e) => e.ip),
    entries.map((e) => e.method),
    entries.map((e) => e.path),
    entries.map((e) => e.idempotencyKey),
    entries.map((e) => e.transactionId),
    entries.map((e) => e.latencyMs),
  ];
}
