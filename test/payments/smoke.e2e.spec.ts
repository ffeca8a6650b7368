import request from 'supertest';

import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';

const AUTH = { Authorization: 'Bearer test-api-key' };
const BODY = { amount: 12.5, currency: 'EUR', payment_method: 'wallet' };

describe('payments on embedded defaults', () => {
  let instance: Instance;

  beforeAll(async () => {
    instance = await startInstance({ env: { DATABASE_URL: undefined, REDIS_URL: undefined } });
  });

  afterAll(async () => {
    await instance.stop();
  });

  it('creates a payment once and replays it byte for byte', async () => {
    const key = 'smoke-key-0000000001';
    const post = () =>
      request(instance.url)
        .post('/api/v1/payments')
        .set(AUTH)
        .set('Idempotency-Key', key)
        .send(BODY);

    const first = await post();
    const again = await post();

    expect(first.status).toBe(201);
    expect(first.headers['idempotent-replayed']).toBe('false');
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.text).toBe(first.text);
  });
});
