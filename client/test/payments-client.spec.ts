import { describe, expect, it } from '@jest/globals';

import {
  IDEMPOTENCY_KEY_PATTERN,
  IdempotencyError,
  NetworkError,
  PaymentDeclinedError,
  PaymentsApiError,
  PaymentsClient,
  ProcessorUnavailableError,
  RateLimitedError,
  RetryPolicy,
  UnauthorizedError,
  ValidationFailedError,
} from '../src/index.js';
import type { PaymentsClientOptions, RetryEvent } from '../src/index.js';
import { FakeServer, paymentBody, problem } from './fake-fetch.js';
import type { Reply } from './fake-fetch.js';

const INPUT = { amount: 49.99, currency: 'USD', paymentMethod: 'credit_card' as const };
const BASE_URL = 'http://127.0.0.1:9';

const created: Reply = { status: 201, body: paymentBody() };
const unavailable: Reply = {
  status: 503,
  body: problem(503, 'processor_unavailable'),
  headers: { 'Retry-After': '1', 'X-Request-Id': 'req-503' },
};

function clientFor(server: FakeServer, options: Partial<PaymentsClientOptions> = {}) {
  return new PaymentsClient({
    baseUrl: BASE_URL,
    apiKey: 'test-api-key',
    random: () => 0,
    ...server.wiring,
    ...options,
  });
}

async function errorOf(promise: Promise<unknown>): Promise<PaymentsApiError> {
  const error = await promise.then(
    () => new Error('expected the call to fail'),
    (caught: unknown) => caught,
  );
  if (!(error instanceof PaymentsApiError)) throw error;

  return error;
}

describe('PaymentsClient.createPayment', () => {
  it('sends the payment in snake_case and returns a typed payment', async () => {
    const server = new FakeServer([created]);

    const payment = await clientFor(server).createPayment({
      ...INPUT,
      description: 'book',
      metadata: { order_id: 'o-1' },
    });

    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      url: `${BASE_URL}/api/v1/payments`,
      body: {
        amount: 49.99,
        currency: 'USD',
        payment_method: 'credit_card',
        description: 'book',
        metadata: { order_id: 'o-1' },
      },
    });
    expect(server.requests[0].headers.Authorization).toBe('Bearer test-api-key');
    expect(payment).toEqual({
      transactionId: '5b2f6a4e-2a9c-4a8e-9f6b-6c1d2e3f4a5b',
      status: 'succeeded',
      amount: 49.99,
      currency: 'USD',
      description: null,
      paymentMethod: 'credit_card',
      metadata: { order_id: 'o-1' },
      idempotencyKey: 'k'.repeat(16),
      createdAt: new Date('2030-01-01T00:00:00.000Z'),
    });
  });

  it('reuses one idempotency key on every retry of a payment', async () => {
    const server = new FakeServer([
      unavailable,
      { networkError: 'socket hang up' },
      { status: 409, body: problem(409, 'idempotency_request_in_progress') },
      created,
    ]);

    await clientFor(server).createPayment(INPUT);

    const keys = server.requests.map((request) => request.headers['Idempotency-Key']);
    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(IDEMPOTENCY_KEY_PATTERN);
  });

  it('gives each logical payment its own key', async () => {
    const server = new FakeServer([created]);
    const client = clientFor(server);

    await client.createPayment(INPUT);
    await client.createPayment(INPUT);

    const [first, second] = server.requests.map((request) => request.headers['Idempotency-Key']);
    expect(first).not.toBe(second);
  });

  it('uses a caller-supplied key and refuses a bad one without sending', async () => {
    const server = new FakeServer([created]);
    const client = clientFor(server);

    await client.createPayment(INPUT, { idempotencyKey: 'order-1234-attempt-a' });
    await expect(client.createPayment(INPUT, { idempotencyKey: 'short' })).rejects.toThrow(
      RangeError,
    );

    expect(server.requests.map((request) => request.headers['Idempotency-Key'])).toEqual([
      'order-1234-attempt-a',
    ]);
  });

  it('surfaces 402 declined at once as a typed error', async () => {
    const server = new FakeServer([
      {
        status: 402,
        body: problem(402, 'payment_declined', { transaction_id: 'tx-1' }),
        headers: { 'X-Request-Id': 'req-402' },
      },
    ]);

    const error = await errorOf(clientFor(server).createPayment(INPUT));

    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect(error).toMatchObject({
      status: 402,
      code: 'payment_declined',
      detail: 'detail of payment_declined',
      requestId: 'req-402',
      transactionId: 'tx-1',
      attempts: 1,
    });
    expect(server.requests).toHaveLength(1);
    expect(server.sleeps).toEqual([]);
  });

  it.each([
    [400, 'validation_failed', ValidationFailedError],
    [401, 'unauthorized', UnauthorizedError],
    [422, 'idempotency_key_reused', IdempotencyError],
  ])('does not retry %i %s', async (status, code, type) => {
    const server = new FakeServer([
      { status, body: problem(status, code, { errors: [{ field: 'amount', message: 'm' }] }) },
    ]);

    const error = await errorOf(clientFor(server).createPayment(INPUT));

    expect(error).toBeInstanceOf(type);
    expect(error.code).toBe(code);
    expect(server.requests).toHaveLength(1);
  });

  it('lists the field problems of a validation failure', async () => {
    const errors = [{ field: 'amount', message: 'must be greater than 0' }];
    const server = new FakeServer([
      { status: 400, body: problem(400, 'validation_failed', { errors }) },
    ]);

    const error = await errorOf(clientFor(server).createPayment(INPUT));

    expect((error as ValidationFailedError).errors).toEqual(errors);
  });
});

describe('PaymentsClient retries', () => {
  it('waits at least what Retry-After asks, even when the backoff is shorter', async () => {
    const server = new FakeServer([
      {
        status: 429,
        body: problem(429, 'rate_limited', { scope: 'user' }),
        headers: { 'Retry-After': '3' },
      },
      created,
    ]);

    await clientFor(server, { random: () => 0.99 }).createPayment(INPUT);

    expect(server.sleeps).toEqual([3000]);
  });

  it('waits the backoff when it is longer than Retry-After', async () => {
    const policy = new RetryPolicy({ baseDelayMs: 4000, maxDelayMs: 8000 });
    const server = new FakeServer([unavailable, created]);

    await clientFor(server, { random: () => 0.5, retryPolicy: policy }).createPayment(INPUT);

    expect(server.sleeps).toEqual([2000]);
  });

  it('backs off exponentially with full jitter, capped', async () => {
    const policy = new RetryPolicy({ maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000 });
    const server = new FakeServer([{ networkError: 'ECONNRESET' }, { networkError: 'x' }]);

    await errorOf(clientFor(server, { random: () => 0.5, retryPolicy: policy }).getPayment('x'));

    expect(server.sleeps).toEqual([50, 100, 200, 400, 500]);
  });

  it('gives up with the last error after maxRetries', async () => {
    const server = new FakeServer([
      { status: 500, body: problem(500, 'internal_error') },
      unavailable,
    ]);
    const events: RetryEvent[] = [];
    const policy = new RetryPolicy({ maxRetries: 2 });

    const error = await errorOf(
      clientFor(server, {
        retryPolicy: policy,
        onRetry: (event) => events.push(event),
      }).createPayment(INPUT),
    );

    expect(error).toBeInstanceOf(ProcessorUnavailableError);
    expect(error).toMatchObject({ attempts: 3, requestId: 'req-503', retryAfterMs: 1000 });
    expect(server.requests).toHaveLength(3);
    expect(events.map((event) => [event.attempt, event.error.status])).toEqual([
      [1, 500],
      [2, 503],
    ]);
  });

  it('gives up when the next wait would pass the deadline', async () => {
    const server = new FakeServer([
      { status: 429, body: problem(429, 'rate_limited'), headers: { 'Retry-After': '10' } },
      created,
    ]);
    const policy = new RetryPolicy({ deadlineMs: 5000 });

    const error = await errorOf(clientFor(server, { retryPolicy: policy }).createPayment(INPUT));

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(server.requests).toHaveLength(1);
    expect(server.sleeps).toEqual([]);
  });

  it('retries network errors and reports the last one as a NetworkError', async () => {
    const server = new FakeServer([{ networkError: 'connect ECONNREFUSED' }]);

    const error = await errorOf(
      clientFor(server, { retryPolicy: new RetryPolicy({ maxRetries: 1 }) }).createPayment(INPUT),
    );

    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ status: 0, code: 'network_error', attempts: 2 });
  });

  it('stops retrying when the caller aborts', async () => {
    const server = new FakeServer([unavailable]);
    const controller = new AbortController();
    const client = clientFor(server, { onRetry: () => controller.abort(new Error('stop')) });

    await expect(client.createPayment(INPUT, { signal: controller.signal })).rejects.toThrow(
      'stop',
    );
    expect(server.requests).toHaveLength(1);
  });

  it('treats a non-JSON error page by its status', async () => {
    const server = new FakeServer([{ status: 502 }, created]);

    const payment = await clientFor(server).createPayment(INPUT);

    expect(payment.status).toBe('succeeded');
    expect(server.requests).toHaveLength(2);
  });
});

describe('PaymentsClient reads', () => {
  it('gets one payment by id', async () => {
    const server = new FakeServer([{ status: 200, body: paymentBody({ status: 'pending' }) }]);

    const payment = await clientFor(server).getPayment('5b2f6a4e-2a9c-4a8e-9f6b-6c1d2e3f4a5b');

    expect(server.requests[0].url).toBe(
      `${BASE_URL}/api/v1/payments/5b2f6a4e-2a9c-4a8e-9f6b-6c1d2e3f4a5b`,
    );
    expect(payment.status).toBe('pending');
  });

  it('lists payments with the query and the next cursor', async () => {
    const server = new FakeServer([
      { status: 200, body: { data: [paymentBody()], next_cursor: 'c2' } },
    ]);

    const page = await clientFor(server).listPayments({ limit: 1, status: 'succeeded' });

    expect(server.requests[0].url).toBe(`${BASE_URL}/api/v1/payments?limit=1&status=succeeded`);
    expect(page.nextCursor).toBe('c2');
    expect(page.data[0].transactionId).toBe('5b2f6a4e-2a9c-4a8e-9f6b-6c1d2e3f4a5b');
  });

  it('reads the rate-limit standing in every scope', async () => {
    const limits = [
      {
        scope: 'user',
        algorithm: 'sliding_window',
        limit: 100,
        window_seconds: 60,
        remaining: 99,
        reset_at: '2030-01-01T00:01:00Z',
      },
      {
        scope: 'burst',
        algorithm: 'token_bucket',
        limit: 50,
        window_seconds: 1,
        remaining: 49,
        reset_at: '2030-01-01T00:00:01Z',
        capacity: 50,
        refill_per_second: 20,
      },
    ];
    const server = new FakeServer([{ status: 200, body: { limits } }]);

    const standing = await clientFor(server).getRateLimits();

    expect(standing).toEqual([
      {
        scope: 'user',
        algorithm: 'sliding_window',
        limit: 100,
        windowSeconds: 60,
        remaining: 99,
        resetAt: new Date('2030-01-01T00:01:00Z'),
      },
      {
        scope: 'burst',
        algorithm: 'token_bucket',
        limit: 50,
        windowSeconds: 1,
        remaining: 49,
        resetAt: new Date('2030-01-01T00:00:01Z'),
        capacity: 50,
        refillPerSecond: 20,
      },
    ]);
  });

  it('refuses a success body that is not a payment', async () => {
    const server = new FakeServer([{ status: 200, body: { hello: 'world' } }]);

    const error = await errorOf(clientFor(server).getPayment('x'));

    expect(error.code).toBe('invalid_response');
  });
});
