import { PaymentDeclinedError } from '../common/errors/payment-errors.js';
import { PROBLEM_CONTENT_TYPE, toProblemDetails } from '../common/http/problem-details.js';
import type { StoredResponse } from '../idempotency/stored-response.js';
import type { PaymentView } from './dto/payment.view.js';
import { toMajorUnits } from './money.js';
import { NEVER_RECEIVED_REASON } from './payment-reconciler.job.js';
import type { PaymentEntity } from './payment.entity.js';

export const PAYMENTS_PATH = '/api/v1/payments';

const NEVER_RECEIVED_DETAIL =
  'The payment failed: the processor never received its charge and nothing was charged. ' +
  'Create a new payment, with a new Idempotency-Key, to try again.';

export function toView(payment: PaymentEntity): PaymentView {
  return {
    transaction_id: payment.id,
    status: payment.status,
    amount: toMajorUnits(payment.amountMinor, payment.currency),
    currency: payment.currency,
    description: payment.description,
    payment_method: payment.paymentMethod,
    metadata: payment.metadata,
    idempotency_key: payment.idempotencyKey,
    created_at: payment.createdAt.toISOString(),
  };
}

/** The final response of a payment attempt: 201 with the payment, or 402 when declined. */
export function renderOutcome(payment: PaymentEntity): StoredResponse {
  if (payment.status === 'failed') return renderDeclined(payment);

  return {
    status: 201,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      Location: `${PAYMENTS_PATH}/${payment.id}`,
    },
    body: JSON.stringify(toView(payment)),
  };
}

function renderDeclined(payment: PaymentEntity): StoredResponse {
  const error =
    payment.failureReason === NEVER_RECEIVED_REASON
      ? new PaymentDeclinedError(NEVER_RECEIVED_DETAIL)
      : new PaymentDeclinedError();
  const problem = { ...toProblemDetails(error, PAYMENTS_PATH), transaction_id: payment.id };

  return {
    status: 402,
    headers: { 'Content-Type': PROBLEM_CONTENT_TYPE },
    body: JSON.stringify(problem),
  };
}
