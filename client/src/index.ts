export { PaymentsClient } from './payments-client.js';
export type {
  CallOptions,
  CreatePaymentOptions,
  PaymentsClientOptions,
  RetryEvent,
} from './payments-client.js';
export { RetryPolicy } from './retry-policy.js';
export type { FromServerOptions, RetryPolicyOptions } from './retry-policy.js';
export {
  IdempotencyError,
  NetworkError,
  NotFoundError,
  PaymentDeclinedError,
  PaymentsApiError,
  ProcessorUnavailableError,
  RateLimitedError,
  UnauthorizedError,
  ValidationFailedError,
} from './errors.js';
export type { ApiErrorCode, FieldProblem, ProblemDetails } from './errors.js';
export { IDEMPOTENCY_KEY_PATTERN, newIdempotencyKey } from './idempotency-key.js';
export type * from './types.js';
