import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { serverEnv } from '../support/env.js';
import { createTestDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';
import {
  BOOT_TIMEOUT_MS,
  GENEROUS_LIMITS,
  eventually,
  paymentBody,
  postPayment,
} from './support.js';

const HALF_OPEN_SECONDS = 2;

describe('circuit breaker in front of the processor', () => {
  let database: TestDatabase;
  let instance: Instance;

  beforeAll(async () => {
    database = await createTestDatabase();
    instance = await startInstance({
      bootTimeoutMs: BOOT_TIMEOUT_MS,
      env: {
        ...serverEnv(database),
        ...GENEROUS_LIMITS,
        PROCESSOR_BREAKER_THRESHOLD: '3',
        PROCESSOR_BREAKER_HALF_OPEN: `${HALF_OPEN_SECONDS}s`,
        PROCESSOR_RETRY_BASE_DELAY: '1ms',
        PROCESSOR_RETRY_MAX_DELAY: '10ms',
      },
    });
  }, BOOT_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    await instance?.stop();
    await database?.drop();
  });

  it('opens on forced failures, refuses payments with Retry-After, then closes', async () => {
    const failing = await postPayment(
      instance.url,
      'breaker-error-0000000001',
      paymentBody('error'),
    );
    expect(failing.status).toBe(503);
    expect(failing.body).toMatchObject({ code: 'processor_unavailable', status: 503 });

    const key = 'breaker-normal-000000001';
    const refused = await postPayment(instance.url, key, paymentBody());
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.body.code).toBe('processor_unavailable');
    expect(refused.body.detail).toContain('circuit open');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(HALF_OPEN_SECONDS);

    await new Promise((done) => setTimeout(done, retryAfter * 1000));
    const accepted = await eventually('the circuit to let the payment through', async () => {
      const response = await postPayment(instance.url, key, paymentBody());
      return response.status === 201 ? response : undefined;
    });
    expect(accepted.body.status).toBe('succeeded');

    const next = await postPayment(instance.url, 'breaker-after-000000001', paymentBody());
    expect(next.status).toBe(201);
    expect(next.headers['idempotent-replayed']).toBe('false');
  });
});
