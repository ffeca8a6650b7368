import { AppError } from './app-error.js';

export class PaymentDeclinedError extends AppError {
  constructor(detail = 'The payment processor declined the payment.') {
    super(402, 'payment_declined', 'Payment declined', { detail });
  }
}

export class ProcessorUnavailableError extends AppError {
  constructor(retryAfterSeconds: number, detail: string, cause?: unknown) {
    super(503, 'processor_unavailable', 'Payment processor unavailable', {
      detail,
      headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
      cause,
    });
  }
}
