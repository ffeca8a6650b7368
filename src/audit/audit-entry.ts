import type { AuditAction, AuditOutcome } from './audit-log.entity.js';

/** What is recorded about one attempt; `occurredAt` defaults to the time of writing. */
export interface AuditEntry {
  occurredAt?: Date;
  accountId: string | null;
  action: AuditAction;
  outcome: AuditOutcome;
  statusCode: number;
  requestId: string;
  ip: string | null;
  method: string;
  path: string;
  idempotencyKey: string | null;
  transactionId: string | null;
  latencyMs: number | null;
}
