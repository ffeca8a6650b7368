import { randomUUID } from 'node:crypto';

import request from 'supertest';

import { freePort, startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { describeWithServer } from '../support/servers.js';
import { createServerDatabase, createTestDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';

const FAILING_BODY = {
  amount: 1,
  currency: 'USD',
  payment_method: 'wallet',
  metadata: { simulate: 'error' },
};

/** The embedded database boots slowly on a busy machine. */
const EMBEDDED_BOOT_MS = 50_000;

describe('health on embedded defaults', () => {
  let database: TestDatabase;
  let instance: Instance;

  beforeAll(async () => {
    database = await createTestDatabase();
    instance = await startInstance({
      env: { DATABASE_URL: database.url ?? undefined, REDIS_URL: undefined },
      bootTimeoutMs: EMBEDDED_BOOT_MS,
    });
  });

  afterAll(async () => {
    await instance?.stop();
    await database?.drop();
  });

  it('reports every service up, with Redis replaced by the in-process store', async () => {
    const response = await request(instance.url).get('/health').expect(200);

    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.body).toMatchObject({
      status: 'ok',
      services: {
        database: { status: 'up' },
        redis: { status: 'up', mode: 'embedded' },
        processor: { status: 'up', circuit: 'closed' },
      },
    });
  });

  it('answers liveness and readiness without an API key', async () => {
    const live = await request(instance.url).get('/health/live').expect(200);
    const ready = await request(instance.url).get('/health/ready').expect(200);

    expect(live.body).toEqual({ status: 'up' });
    expect(ready.body.status).toBe('ok');
    expect(ready.body.details.database.status).toBe('up');
  });

  it('reports an open processor breaker as degraded and stays ready', async () => {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await request(instance.url)
        .post('/api/v1/payments')
        .set('Authorization', 'Bearer test-api-key')
        .set('Idempotency-Key', `health-${randomUUID()}`)
        .send(FAILING_BODY)
        .expect(503);
    }

    const health = await request(instance.url).get('/health').expect(200);
    await request(instance.url).get('/health/ready').expect(200);

    expect(health.body.status).toBe('degraded');
    expect(health.body.services.processor).toMatchObject({ status: 'degraded', circuit: 'open' });
    expect(health.body.services.processor.retry_after_seconds).toBeGreaterThan(0);
  });
});

/** Health results are cached for a moment; asks again until the status shows, for 5 s at most. */
async function pollUntil(ask: () => PromiseLike<request.Response>, status: number) {
  const deadline = Date.now() + 5000;
  let response = await ask();
  while (response.status !== status && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 100));
    response = await ask();
  }
  expect(response.status).toBe(status);

  return response;
}

describeWithServer('postgres', 'health when dependencies fail', () => {
  let database: TestDatabase;
  let instance: Instance;

  beforeAll(async () => {
    database = await createServerDatabase();
    const unusedPort = await freePort();
    instance = await startInstance({
      env: { DATABASE_URL: database.url!, REDIS_URL: `redis://127.0.0.1:${unusedPort}` },
    });
  });

  afterAll(async () => {
    await instance?.stop();
    await database?.drop();
  });

  it('reports unreachable Redis as degraded, not fatal', async () => {
    const response = await request(instance.url).get('/health').expect(200);

    expect(response.body.status).toBe('degraded');
    expect(response.body.services.redis).toMatchObject({ status: 'degraded', mode: 'server' });
    expect(response.body.services.database.status).toBe('up');
    expect(['up', 'degraded']).toContain(response.body.services.rate_limiting.status);
  });

  it('fails readiness without driver text once the database is gone, staying live', async () => {
    await database.drop();

    const health = await pollUntil(() => request(instance.url).get('/health'), 503);
    await request(instance.url).get('/health/ready').expect(503);
    await request(instance.url).get('/health/live').expect(200);

    expect(health.body.status).toBe('error');
    expect(health.body.services.database).toMatchObject({
      status: 'down',
      message: 'the database did not answer',
    });
    expect(JSON.stringify(health.body)).not.toMatch(/ECONNREFUSED|does not exist|terminat/i);
  });
});
