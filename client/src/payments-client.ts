import { setTimeout as delay } from 'node:timers/promises';

import { NetworkError, PaymentsApiError, errorFromResponse } from './errors.js';
import { assertValidIdempotencyKey, newIdempotencyKey } from './idempotency-key.js';
import { RetryPolicy } from './retry-policy.js';
import type {
  CreatePaymentInput,
  ListPaymentsQuery,
  Payment,
  PaymentPage,
  RateLimitStanding,
} from './types.js';
import { toPayment, toPaymentPage, toRateLimits, toWirePayment } from './wire.js';

export interface RetryEvent {
  method: string;
  path: string;
  /** The attempt that just failed, from 1. */
  attempt: number;
  delayMs: number;
  error: PaymentsApiError;
}

export interface PaymentsClientOptions {
  /** Where the service is, e.g. `http://localhost:8000`. */
  baseUrl: string;
  apiKey: string;
  /** Defaults to `new RetryPolicy()`; see `RetryPolicy.fromServer`. */
  retryPolicy?: RetryPolicy;
  /** How long one attempt may take before it counts as a network error. Default 30 s. */
  attemptTimeoutMs?: number;
  /** Called before each wait, e.g. to log or count retries. */
  onRetry?: (event: RetryEvent) => void;
  fetch?: typeof fetch;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface CallOptions {
  /** Aborting stops the call and its retries; the abort reason is thrown. */
  signal?: AbortSignal;
}

export interface CreatePaymentOptions extends CallOptions {
  /** One key per logical payment; generated when absent. Reused on every retry. */
  idempotencyKey?: string;
}

interface Call {
  method: 'GET' | 'POST';
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

type Attempt = { ok: true; body: unknown } | { ok: false; error: PaymentsApiError };

/** The body as JSON; null when empty or not JSON (a proxy's HTML error page, say). */
function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

const defaultSleep = (ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal });

/**
 * A client for the payments API that retries safely: every logical payment gets one
 * idempotency key, reused on each retry, so a retried payment is created exactly once.
 * Network errors and the policy's statuses (409, 429, 5xx by default) are retried.
 */
export class PaymentsClient {
  readonly policy: RetryPolicy;
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(private readonly options: PaymentsClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.policy = options.retryPolicy ?? new RetryPolicy();
    this.fetch = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** Creates one payment, exactly once however many attempts it takes. */
  async createPayment(
    input: CreatePaymentInput,
    options: CreatePaymentOptions = {},
  ): Promise<Payment> {
    const key = options.idempotencyKey ?? newIdempotencyKey();
    assertValidIdempotencyKey(key);

    const body = await this.send({
      method: 'POST',
      path: '/api/v1/payments',
      body: toWirePayment(input),
      headers: { [this.policy.options.idempotencyKeyHeader]: key },
      signal: options.signal,
    });

    return toPayment(body);
  }

  async getPayment(transactionId: string, options: CallOptions = {}): Promise<Payment> {
    const path = `/api/v1/payments/${encodeURIComponent(transactionId)}`;

    return toPayment(await this.send({ method: 'GET', path, signal: options.signal }));
  }

  async listPayments(
    query: ListPaymentsQuery = {},
    options: CallOptions = {},
  ): Promise<PaymentPage> {
    const params = new URLSearchParams();
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    if (query.cursor !== undefined) params.set('cursor', query.cursor);
    if (query.status !== undefined) params.set('status', query.status);
    const suffix = params.toString() === '' ? '' : `?${params}`;
    const body = await this.send({
      method: 'GET',
      path: `/api/v1/payments${suffix}`,
      signal: options.signal,
    });

    return toPaymentPage(body);
  }

  async getRateLimits(options: CallOptions = {}): Promise<RateLimitStanding[]> {
    const path = '/api/v1/rate-limits';

    return toRateLimits(await this.send({ method: 'GET', path, signal: options.signal }));
  }

  /** Attempts until success, a final error, or the end of the policy's budget. */
  private async send(call: Call): Promise<unknown> {
    const startedAt = this.now();
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(call);
      if (outcome.ok) return outcome.body;

      const error = outcome.error;
      error.attempts = attempt;
      const wait = this.waitBeforeRetry(error, attempt, startedAt);
      if (wait === null) throw error;

      this.options.onRetry?.({
        method: call.method,
        path: call.path,
        attempt,
        delayMs: wait,
        error,
      });
      await this.sleep(wait, call.signal);
    }
  }

  /** Milliseconds to wait before the next attempt, or null to give up with `error`. */
  private waitBeforeRetry(error: PaymentsApiError, attempt: number, startedAt: number) {
    const retryable = error instanceof NetworkError || this.policy.isRetryableStatus(error.status);
    if (!retryable || attempt > this.policy.options.maxRetries) return null;

    const wait = this.policy.delayMs(attempt - 1, error.retryAfterMs, this.random);
    const elapsed = this.now() - startedAt;

    return elapsed + wait > this.policy.options.deadlineMs ? null : wait;
  }

  private async attempt(call: Call): Promise<Attempt> {
    call.signal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.options.attemptTimeoutMs ?? 30_000);
    const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;

    let response: Response;
    let text: string;
    try {
      response = await this.fetch(`${this.baseUrl}${call.path}`, this.init(call, signal));
      text = await response.text();
    } catch (cause) {
      call.signal?.throwIfAborted();
      return { ok: false, error: new NetworkError(cause) };
    }

    return this.read(response, text);
  }

  private init(call: Call, signal: AbortSignal): RequestInit {
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${this.options.apiKey}`,
      ...call.headers,
    };
    if (call.body === undefined) return { method: call.method, headers, signal };

    headers['Content-Type'] = 'application/json';

    return { method: call.method, headers, body: JSON.stringify(call.body), signal };
  }

  private read(response: Response, text: string): Attempt {
    const body = parseJson(text);
    if (response.ok) return { ok: true, body };

    return {
      ok: false,
      error: errorFromResponse(response.status, body, response.headers, this.now()),
    };
  }
}
