import type { Request } from 'express';

import type { AuditAction } from '../audit/audit-log.entity.js';
import { auditContextOf, entryFor } from '../audit/audit-context.js';
import { requirePrincipal } from '../auth/principal.js';
import type { ResumableOperation } from '../idempotency/resumable-operation.js';
import type { StoredResponse } from '../idempotency/stored-response.js';
import type { CreatePaymentDto } from './dto/create-payment.dto.js';
import type { PaymentEntity } from './payment.entity.js';
import type { CreatePaymentCommand } from './payments.service.js';

/** Builds the command for one payment attempt of this request, with its audit entry. */
export function paymentCommandFor(
  request: Request,
  body: CreatePaymentDto,
  operation: ResumableOperation,
  options: { simulationEnabled: boolean; action: AuditAction },
): CreatePaymentCommand {
  const audit = auditContextOf(request);
  const auditEntry = audit
    ? (payment: PaymentEntity, stored: StoredResponse) =>
        entryFor(request, audit, {
          action: options.action,
          outcome: stored.status === 402 ? 'declined' : 'created',
          statusCode: stored.status,
          transactionId: payment.id,
        })
    : null;

  return {
    accountId: requirePrincipal(request).accountId,
    body,
    operation,
    simulationEnabled: options.simulationEnabled,
    auditEntry,
    onAudited: () => {
      if (audit && options.action === audit.action) audit.recorded = true;
    },
  };
}
