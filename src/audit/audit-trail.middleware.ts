import { Injectable } from '@nestjs/common';
import type { NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';
import type { Counter } from 'prom-client';

import { InjectMetric, METRIC } from '../metrics/metric-names.js';
import type { AuditAction, AuditOutcome } from './audit-log.entity.js';
import { entryFor } from './audit-context.js';
import type { AuditContext, RequestWithAudit } from './audit-context.js';
import { AuditService } from './audit.service.js';

/** Status recorded for a request whose client went away before it was answered. */
export const CLIENT_CLOSED_REQUEST = 499;

const OUTCOME_BY_STATUS: Record<number, AuditOutcome> = {
  200: 'ok',
  201: 'created',
  401: 'unauthorized',
  402: 'declined',
  409: 'conflict',
  422: 'key_reused',
  429: 'rate_limited',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function outcomeFor(statusCode: number, replayed: boolean): AuditOutcome {
  if (replayed) return 'replayed';
  if (statusCode >= 500) return 'unavailable';

  return OUTCOME_BY_STATUS[statusCode] ?? 'invalid';
}

export function actionFor(method: string, path: string): AuditAction {
  if (path.startsWith('/api/v1/simulate-concurrent')) return 'payment.simulate_concurrent';
  if (method === 'POST') return 'payment.create';

  return /^\/api\/v1\/payments\/?$/.test(path) ? 'payment.list' : 'payment.read';
}

/** The payment a response is about: a created one's Location, or a payment that was read. */
export function transactionIdFor(
  context: AuditContext,
  response: Response,
  outcome: AuditOutcome,
): string | null {
  const location = response.getHeader('Location');
  const created =
    typeof location === 'string' ? /\/payments\/([0-9a-f-]{36})$/.exec(location) : null;
  if (created) return created[1];
  if (context.action !== 'payment.read' || outcome !== 'ok') return null;

  const id = context.path.split('/').pop() ?? '';

  return UUID.test(id) ? id.toLowerCase() : null;
}

/**
 * Records every request to a payments route, whatever stopped it (authentication, a limit,
 * validation, an unreadable body, a client that hung up). Entries already written with the
 * payment's own transaction are skipped. Also counts payment creations by the same outcome.
 * Express may run it twice for one request (two route patterns match); the first run wins.
 */
@Injectable()
export class AuditTrailMiddleware implements NestMiddleware {
  constructor(
    private readonly audit: AuditService,
    @InjectMetric(METRIC.paymentRequests) private readonly paymentRequests: Counter<'outcome'>,
  ) {}

  use(request: RequestWithAudit, response: Response, next: NextFunction): void {
    if (request.audit) return next();

    const path = (request.originalUrl ?? request.url).split('?')[0];
    const context: AuditContext = {
      action: actionFor(request.method, path),
      requestId: String(request.id ?? ''),
      ip: request.ip ?? null,
      method: request.method,
      path,
      startedAt: performance.now(),
      recorded: false,
    };
    request.audit = context;

    response.once('close', () => this.recordEnd(request, response, context));
    next();
  }

  private recordEnd(request: RequestWithAudit, response: Response, context: AuditContext): void {
    const statusCode = response.writableFinished ? response.statusCode : CLIENT_CLOSED_REQUEST;
    const replayed = response.getHeader('Idempotent-Replayed') === 'true';
    const outcome = outcomeFor(statusCode, replayed);
    if (context.action === 'payment.create') this.paymentRequests.inc({ outcome });
    if (context.recorded) return;

    const transactionId = transactionIdFor(context, response, outcome);
    this.audit.enqueue(entryFor(request, context, { outcome, statusCode, transactionId }));
  }
}
