import request from 'supertest';

import { serverEnv } from '../support/env.js';
import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import {
  DEV_KEY,
  HIGH_RATE_LIMITS,
  PAYMENTS,
  bearer,
  getPath,
  newIdempotencyKey,
  paymentBody,
  postPayment,
} from '../support/payments-api.js';
import { expectProblem, expectUnauthorized } from '../support/problem.js';
import { describeWithServer } from '../support/servers.js';
import { createServerDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';
import { BOOT_HOOK_TIMEOUT_MS, BOOT_TIMEOUT_MS } from '../support/timeouts.js';

const PRODUCTION_KEY = 'Zq7-pX2m_Lr9tVw4Kc8sNd5B-prod';

describeWithServer('postgres', 'production mode', () => {
  let database: TestDatabase;
  let instance: Instance;

  beforeAll(async () => {
    database = await createServerDatabase();

    // A development run first leaves the development key's row in the database.
    const development = await startInstance({
      bootTimeoutMs: BOOT_TIMEOUT_MS,
      env: serverEnv(database),
    });
    const devAccepted = await getPath(development.url, PAYMENTS, DEV_KEY);
    await development.stop();
    expect(devAccepted.status).toBe(200);

    instance = await startInstance({
      bootTimeoutMs: BOOT_TIMEOUT_MS,
      env: {
        ...serverEnv(database),
        ...HIGH_RATE_LIMITS,
        NODE_ENV: 'production',
        API_KEYS: `acct-prod:${PRODUCTION_KEY}`,
      },
    });
  }, BOOT_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await instance?.stop();
    await database?.drop();
  });

  it('refuses the development key, even with its row still in the database', async () => {
    expectUnauthorized(await getPath(instance.url, PAYMENTS, DEV_KEY));
  });

  it('accepts the configured key', async () => {
    expect((await getPath(instance.url, PAYMENTS, PRODUCTION_KEY)).status).toBe(200);
  });

  it('ignores metadata.simulate', async () => {
    const body = paymentBody({ metadata: { simulate: 'decline' } });

    const res = await postPayment(instance.url, body, { key: PRODUCTION_KEY });

    expect(res.status).toBe(201);
    expect(res.body.status).toBe('succeeded');
  });

  it('has no simulation endpoint', async () => {
    const res = await request(instance.url)
      .post('/api/v1/simulate-concurrent?concurrent_count=2')
      .set(bearer(PRODUCTION_KEY))
      .set('Idempotency-Key', newIdempotencyKey())
      .send(paymentBody());

    expectProblem(res, 404, 'not_found');
  });

  it('does not announce a development key', () => {
    expect(instance.output()).not.toContain('development API key is active');
  });
});
