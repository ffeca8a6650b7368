/** An RFC 9457 problem document as the service sends it. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  code?: string;
  [extra: string]: unknown;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** The stable codes of the contract, plus the client's own for failures without a response. */
export type ApiErrorCode =
  | 'validation_failed'
  | 'malformed_json'
  | 'idempotency_key_missing'
  | 'idempotency_key_invalid'
  | 'unauthorized'
  | 'payment_declined'
  | 'not_found'
  | 'idempotency_request_in_progress'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'idempotency_key_reused'
  | 'rate_limited'
  | 'processor_unavailable'
  | 'service_unavailable'
  | 'network_error'
  | 'invalid_response'
  | (string & {});

export interface ApiErrorInit {
  status: number;
  code: ApiErrorCode;
  detail: string;
  requestId?: string | null;
  retryAfterMs?: number | null;
  problem?: ProblemDetails | null;
  cause?: unknown;
}

/**
 * Any failure of a call: `status` is the HTTP status (0 when no response came), `code` the
 * contract's stable code. Branch on `code` or on the subclasses below.
 */
export class PaymentsApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly detail: string;
  /** The service's `X-Request-Id`, to quote when asking about a failure. */
  readonly requestId: string | null;
  /** What `Retry-After` asked for, in milliseconds; null when absent. */
  readonly retryAfterMs: number | null;
  readonly problem: ProblemDetails | null;
  /** How many attempts the client made before this error was final. */
  attempts = 1;

  constructor(init: ApiErrorInit) {
    super(`${init.code}: ${init.detail}`, { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.requestId = init.requestId ?? null;
    this.retryAfterMs = init.retryAfterMs ?? null;
    this.problem = init.problem ?? null;
  }
}

/** 400 `validation_failed` or `malformed_json`; `errors` lists each field's problem. */
export class ValidationFailedError extends PaymentsApiError {
  readonly errors: FieldProblem[];

  constructor(init: ApiErrorInit) {
    super(init);
    const errors = init.problem?.errors;
    this.errors = Array.isArray(errors) ? (errors as FieldProblem[]) : [];
  }
}

/** 401: the API key is missing, malformed, unknown or revoked. */
export class UnauthorizedError extends PaymentsApiError {}

/** 402: the processor declined. Final: retrying with the same key replays the decline. */
export class PaymentDeclinedError extends PaymentsApiError {
  readonly transactionId: string | null;

  constructor(init: ApiErrorInit) {
    super(init);
    const id = init.problem?.transaction_id;
    this.transactionId = typeof id === 'string' ? id : null;
  }
}

export class NotFoundError extends PaymentsApiError {}

/** A key problem: missing or invalid (400), still in progress (409), reused (422). */
export class IdempotencyError extends PaymentsApiError {}

/** 429; `scope` names the exhausted limit. */
export class RateLimitedError extends PaymentsApiError {
  readonly scope: string | null;

  constructor(init: ApiErrorInit) {
    super(init);
    const scope = init.problem?.scope;
    this.scope = typeof scope === 'string' ? scope : null;
  }
}

/** 503 `processor_unavailable`: the circuit is open or the processor kept failing. */
export class ProcessorUnavailableError extends PaymentsApiError {}

/** No response: the connection failed, or the attempt timed out. */
export class NetworkError extends PaymentsApiError {
  constructor(cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super({ status: 0, code: 'network_error', detail: `no response: ${reason}`, cause });
  }
}

type ErrorClass = new (init: ApiErrorInit) => PaymentsApiError;

const CLASS_BY_CODE: Record<string, ErrorClass> = {
  validation_failed: ValidationFailedError,
  malformed_json: ValidationFailedError,
  unauthorized: UnauthorizedError,
  payment_declined: PaymentDeclinedError,
  not_found: NotFoundError,
  idempotency_key_missing: IdempotencyError,
  idempotency_key_invalid: IdempotencyError,
  idempotency_request_in_progress: IdempotencyError,
  idempotency_key_reused: IdempotencyError,
  rate_limited: RateLimitedError,
  processor_unavailable: ProcessorUnavailableError,
};

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;

  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;

  const date = Date.parse(text);

  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function asProblem(body: unknown): ProblemDetails | null {
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as ProblemDetails)
    : null;
}

/** The typed error for a non-2xx response. */
export function errorFromResponse(
  status: number,
  body: unknown,
  headers: Headers,
  now: number,
): PaymentsApiError {
  const problem = asProblem(body);
  const code = typeof problem?.code === 'string' ? problem.code : `http_${status}`;
  const detail = typeof problem?.detail === 'string' ? problem.detail : `HTTP ${status}`;
  const ErrorType = CLASS_BY_CODE[code] ?? PaymentsApiError;

  return new ErrorType({
    status,
    code,
    detail,
    problem,
    requestId: headers.get('x-request-id'),
    retryAfterMs: parseRetryAfter(headers.get('retry-after'), now),
  });
}
