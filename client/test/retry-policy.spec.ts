import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { PaymentsClient, RetryPolicy } from '../src/index.js';
import { FakeServer, paymentBody } from './fake-fetch.js';

const SERVER_DOCUMENT = {
  max_retries: 4,
  base_delay_ms: 200,
  max_delay_ms: 3000,
  backoff: 'exponential',
  jitter: 'full',
  retryable_status_codes: [409, 429, 503],
  respect_retry_after: true,
  idempotency_key_header: 'Idempotency-Key',
  reuse_idempotency_key_on_retry: true,
  rate_limits: [],
};

describe('RetryPolicy', () => {
  it('keeps every wait within [max(Retry-After, 0), max(Retry-After, ceiling)]', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 0, max: 40 }),
        fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: null }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (baseDelayMs, extraMs, retry, retryAfterMs, random) => {
          const policy = new RetryPolicy({ baseDelayMs, maxDelayMs: baseDelayMs + extraMs });
          const ceiling = Math.min(baseDelayMs + extraMs, baseDelayMs * 2 ** retry);

          const wait = policy.delayMs(retry, retryAfterMs, () => random);

          expect(wait).toBeGreaterThanOrEqual(retryAfterMs ?? 0);
          expect(wait).toBeLessThanOrEqual(Math.max(retryAfterMs ?? 0, ceiling));
        },
      ),
    );
  });

  it('ignores Retry-After when told not to respect it', () => {
    const policy = new RetryPolicy({ respectRetryAfter: false, baseDelayMs: 100 });

    expect(policy.delayMs(0, 5000, () => 0.5)).toBe(50);
  });

  it('refuses a cap below the base delay', () => {
    expect(() => new RetryPolicy({ baseDelayMs: 500, maxDelayMs: 100 })).toThrow(RangeError);
  });

  it('reads the policy the service publishes', async () => {
    const server = new FakeServer([{ status: 200, body: SERVER_DOCUMENT }]);

    const policy = await RetryPolicy.fromServer('http://127.0.0.1:9/', {
      fetch: server.fetch as typeof fetch,
      deadlineMs: 10_000,
    });

    expect(server.requests[0].url).toBe('http://127.0.0.1:9/api/v1/retry-config');
    expect(policy.options).toEqual({
      maxRetries: 4,
      baseDelayMs: 200,
      maxDelayMs: 3000,
      retryableStatusCodes: [409, 429, 503],
      respectRetryAfter: true,
      deadlineMs: 10_000,
      idempotencyKeyHeader: 'Idempotency-Key',
    });
  });

  it('keeps the defaults for fields the document lacks or gets wrong', () => {
    const policy = RetryPolicy.fromServerDocument({ max_retries: -1, retryable_status_codes: 'x' });

    expect(policy.options).toEqual(RetryPolicy.DEFAULTS);
  });

  it('fails plainly when the service does not answer with a policy', async () => {
    const server = new FakeServer([{ status: 404, body: {} }]);

    await expect(
      RetryPolicy.fromServer('http://127.0.0.1:9', { fetch: server.fetch as typeof fetch }),
    ).rejects.toThrow('HTTP 404');
  });

  it('drives the client: a status outside the published list is not retried', async () => {
    const server = new FakeServer([
      { status: 500, body: {} },
      { status: 201, body: paymentBody() },
    ]);
    const client = new PaymentsClient({
      baseUrl: 'http://127.0.0.1:9',
      apiKey: 'test-api-key',
      retryPolicy: RetryPolicy.fromServerDocument(SERVER_DOCUMENT),
      ...server.wiring,
    });

    await expect(
      client.createPayment({ amount: 1, currency: 'USD', paymentMethod: 'wallet' }),
    ).rejects.toMatchObject({ status: 500, code: 'http_500' });
    expect(server.requests).toHaveLength(1);
  });
});
