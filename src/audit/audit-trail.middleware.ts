import { Injectable } from '@nestjs/common';
import type { NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';

import type { AuditAction, AuditOutcome } from './audit-log.entity.js';
import { entryFor } from './audit-context.js';
import type { RequestWithAudit } from './audit-context.js';
import { AuditService } from './audit.service.js';

const OUTCOME_BY_STATUS: Record<number, AuditOutcome> = {
  200: 'ok',
  201: 'created',
  401: 'unauthorized',
  402: 'declined',
  409: 'conflict',
  422: 'key_reused',
  429: 'rate_limited',
};

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

function transactionIdFrom(response: Response): string | null {
  const location = response.getHeader('Location');
  const match = typeof location === 'string' ? /\/payments\/([0-9a-f-]{36})$/.exec(location) : null;

  return match ? match[1] : null;
}

/**
 * Records every request to a payments route, whatever stopped it (authentication, a limit,
 * validation). Entries already written with the payment's own transaction are skipped.
 */
@Injectable()
export class AuditTrailMiddleware implements NestMiddleware {
  constructor(private readonly audit: AuditService) {}

  use(request: RequestWithAudit, response: Response, next: NextFunction): void {
    const path = (request.originalUrl ?? request.url).split('?')[0];
    const context = {
      action: actionFor(request.method, path),
      requestId: String(request.id ?? ''),
      ip: request.ip ?? null,
      method: request.method,
      path,
      startedAt: performance.now(),
      recorded: false,
    };
    request.audit = context;

    response.on('finish', () => {
      if (context.recorded) return;

      const replayed = response.getHeader('Idempotent-Replayed') === 'true';
      const outcome = outcomeFor(response.statusCode, replayed);
      const transactionId = transactionIdFrom(response);
      this.audit.enqueue(
        entryFor(request, context, { outcome, statusCode: response.statusCode, transactionId }),
      );
    });
    next();
  }
}
