import type { Request } from 'express';

import { principalOf } from '../auth/principal.js';
import type { AuditAction, AuditOutcome } from './audit-log.entity.js';
import type { AuditEntry } from './audit-entry.js';

/** The facts about one request that its audit entry needs, gathered when it arrives. */
export interface AuditContext {
  action: AuditAction;
  requestId: string;
  ip: string | null;
  method: string;
  path: string;
  startedAt: number;
  /** Set once an entry was written with the request's own transaction. */
  recorded: boolean;
}

export interface RequestWithAudit extends Request {
  audit?: AuditContext;
}

export function auditContextOf(request: Request): AuditContext | undefined {
  return (request as RequestWithAudit).audit;
}

/** Builds the entry for this request as it ends, from its context and final facts. */
export function entryFor(
  request: Request,
  context: AuditContext,
  facts: {
    outcome: AuditOutcome;
    statusCode: number;
    transactionId: string | null;
    action?: AuditAction;
  },
): AuditEntry {
  const key = request.headers['idempotency-key'];

  return {
    accountId: principalOf(request)?.accountId ?? null,
    action: facts.action ?? context.action,
    outcome: facts.outcome,
    statusCode: facts.statusCode,
    requestId: context.requestId,
    ip: context.ip,
    method: context.method,
    path: context.path.slice(0, 300),
    idempotencyKey: typeof key === 'string' ? key.slice(0, 255) : null,
    transactionId: facts.transactionId,
    latencyMs: Math.round(performance.now() - context.startedAt),
  };
}
