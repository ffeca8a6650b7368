export interface RetryPolicyOptions {
  /** Retries after the first attempt. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Statuses worth retrying; network errors are always retried. */
  retryableStatusCodes: readonly number[];
  /** Wait at least what `Retry-After` asks for. */
  respectRetryAfter: boolean;
  /** The whole budget of one call, attempts and waits together, in milliseconds. */
  deadlineMs: number;
  idempotencyKeyHeader: string;
}

const DEFAULTS: RetryPolicyOptions = Object.freeze({
  maxRetries: 5,
  baseDelayMs: 100,
  maxDelayMs: 5_000,
  retryableStatusCodes: Object.freeze([409, 429, 500, 502, 503, 504]),
  respectRetryAfter: true,
  deadlineMs: 60_000,
  idempotencyKeyHeader: 'Idempotency-Key',
});

export interface FromServerOptions {
  fetch?: typeof fetch;
  /** The server does not publish a deadline; this one (or the default) is used. */
  deadlineMs?: number;
  signal?: AbortSignal;
}

function nonNegativeInteger(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

function statusList(value: unknown, fallback: readonly number[]): readonly number[] {
  if (!Array.isArray(value)) return fallback;

  const statuses = value.filter((item): item is number => Number.isInteger(item));

  return statuses.length > 0 ? statuses : fallback;
}

/**
 * When and how long to wait between attempts: capped exponential backoff with full jitter
 * (a uniform delay in [0, min(maxDelayMs, baseDelayMs * 2^retry)]), never shorter than the
 * server's `Retry-After`, within `maxRetries` and a total deadline.
 */
export class RetryPolicy {
  static readonly DEFAULTS: Readonly<RetryPolicyOptions> = DEFAULTS;

  readonly options: Readonly<RetryPolicyOptions>;

  constructor(options: Partial<RetryPolicyOptions> = {}) {
    const merged = { ...DEFAULTS, ...options };
    if (merged.maxDelayMs < merged.baseDelayMs) {
      throw new RangeError('maxDelayMs must be at least baseDelayMs');
    }
    this.options = Object.freeze(merged);
  }

  /** Reads the policy the service publishes at `GET /api/v1/retry-config`. */
  static async fromServer(baseUrl: string, options: FromServerOptions = {}): Promise<RetryPolicy> {
    const fetcher = options.fetch ?? globalThis.fetch;
    const response = await fetcher(`${baseUrl.replace(/\/+$/, '')}/api/v1/retry-config`, {
      headers: { Accept: 'application/json' },
      signal: options.signal,
    });
    if (!response.ok) throw new Error(`retry-config answered HTTP ${response.status}`);

    return RetryPolicy.fromServerDocument(await response.json(), options.deadlineMs);
  }

  /** Builds a policy from a retry-config document; missing or odd fields keep the defaults. */
  static fromServerDocument(document: unknown, deadlineMs = DEFAULTS.deadlineMs): RetryPolicy {
    const doc = (typeof document === 'object' && document !== null ? document : {}) as Record<
      string,
      unknown
    >;
    const baseDelayMs = nonNegativeInteger(doc.base_delay_ms, DEFAULTS.baseDelayMs);
    const header = doc.idempotency_key_header;

    return new RetryPolicy({
      maxRetries: nonNegativeInteger(doc.max_retries, DEFAULTS.maxRetries),
      baseDelayMs,
      maxDelayMs: Math.max(baseDelayMs, nonNegativeInteger(doc.max_delay_ms, DEFAULTS.maxDelayMs)),
      retryableStatusCodes: statusList(doc.retryable_status_codes, DEFAULTS.retryableStatusCodes),
      respectRetryAfter: doc.respect_retry_after !== false,
      idempotencyKeyHeader:
        typeof header === 'string' && header !== '' ? header : 'Idempotency-Key',
      deadlineMs,
    });
  }

  isRetryableStatus(status: number): boolean {
    return this.options.retryableStatusCodes.includes(status);
  }

  /** The ceiling of the wait before retry `retry` (0 for the first retry). */
  backoffCeilingMs(retry: number): number {
    return Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** retry);
  }

  /** The wait before retry `retry`: full jitter, but never less than `Retry-After`. */
  delayMs(retry: number, retryAfterMs: number | null, random: () => number): number {
    const backoff = Math.floor(random() * this.backoffCeilingMs(retry));
    const serverAsked = this.options.respectRetryAfter ? (retryAfterMs ?? 0) : 0;

    return Math.max(backoff, serverAsked);
  }
}
