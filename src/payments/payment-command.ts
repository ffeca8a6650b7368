import type { Request } from 'express';

import type { AuditAction } from '../audit/audit-log.entity.js';
import { auditContextOf, entryFor } from '../audit/audit-context.js';
import { requirePrincipal } from '../auth/principal.js';
import type { ResumableOperation } from '../idempotency/resumable-operation.js';
import type { StoredResponse } from '../idempotency/stored-response.js';
import type { CreatePaymentDto } from './dto/create-payment.dto.js';
import type { PaymentEntity } from './payment.entity.js';
import type { CreatePaymentCommand, PaymentAudit } from './payments.service.js';

/** The entry commits with the payment; only then is the request marked as recorded. */
function auditFor(request: Request, action: AuditAction): PaymentAudit | null {
  const context = auditContextOf(request);
  if (!context) return null;

  return {
    entryFor: (payment: PaymentEntity, stored: StoredResponse) =>
      entryFor(request, context, {
        action,
        outcome: stored.status === 402 ? 'declined' : 'created',
        statusCode: stored.status,
        transactionId: payment.id,
      }),
    committed: () => {
      if (action === context.action) context.recorded = true;
    },
  };
}

/** Builds the command for one payment attempt of this request, with its audit entry. */
export function paymentCommandFor(
  request: Request,
  body: CreatePaymentDto,
  operation: ResumableOperation,
  options: { simulationEnabled: boolean; action: AuditAction },
): CreatePaymentCommand {
  return {
    accountId: requirePrincipal(request).accountId,
    body,
    operation,
    simulationEnabled: options.simulationEnabled,
    audit: auditFor(request, options.action),
  };
}
