import type { AuditAction, AuditOutcome } from './audit-log.entity.js';
import type { AuditCursor } from './audit-cursor.js';

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
      `(l.occurred_at, l.id) < ('epoch'::timestamptz + ${micros}::bigint * interval '1 microsecond', ` +
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
