import pg from 'pg';
import request from 'supertest';

import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { serverEnv } from '../support/env.js';
import { describeWithServer } from '../support/servers.js';
import { createServerDatabase, createTestDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';
import {
  AUTH,
  BOOT_TIMEOUT_MS,
  GENEROUS_LIMITS,
  eventually,
  paymentBody,
  postPayment,
} from './support.js';

/** A 200 ms processor timeout and a 2 s grace (longer than 3 attempts of 200 ms plus waits). */
const FAST_RECONCILIATION = {
  ...GENEROUS_LIMITS,
  PROCESSOR_TIMEOUT: '200ms',
  PROCESSOR_RETRY_BASE_DELAY: '1ms',
  PROCESSOR_RETRY_MAX_DELAY: '50ms',
  RECONCILE_INTERVAL: '250ms',
  RECONCILE_GRACE: '2s',
};

const SETTLED_LINE = 'pending payment settled by reconciliation';

async function statusOf(url: string, id: string): Promise<string> {
  const response = await request(url).get(`/api/v1/payments/${id}`).set(AUTH);
  expect(response.status).toBe(200);

  return response.body.status as string;
}

function settledTo(url: string, id: string, wanted: string) {
  return eventually(`payment ${id} to be ${wanted}`, async () =>
    (await statusOf(url, id)) === wanted ? true : undefined,
  );
}

describe('reconciliation of pending payments', () => {
  let database: TestDatabase;
  let instance: Instance;

  beforeAll(async () => {
    database = await createTestDatabase();
    instance = await startInstance({
      bootTimeoutMs: BOOT_TIMEOUT_MS,
      env: { ...serverEnv(database), ...FAST_RECONCILIATION },
    });
  }, BOOT_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    await instance?.stop();
    await database?.drop();
  });

  it('settles a timed-out charge as succeeded', async () => {
    const created = await postPayment(
      instance.url,
      'reconcile-timeout-0001',
      paymentBody('timeout'),
    );
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('pending');
    expect(await statusOf(instance.url, created.body.transaction_id)).toBe('pending');

    await settledTo(instance.url, created.body.transaction_id, 'succeeded');
  });

  it('fails a payment the processor never received, once the grace period is over', async () => {
    const key = 'reconcile-never-charged-01';
    const refused = await postPayment(instance.url, key, paymentBody('error'));
    expect(refused.status).toBe(503);

    const pending = await request(instance.url).get('/api/v1/payments?status=pending').set(AUTH);
    const payment = pending.body.data.find(
      (item: { idempotency_key: string }) => item.idempotency_key === key,
    );
    expect(payment).toBeDefined();
    await settledTo(instance.url, payment.transaction_id, 'failed');

    const retried = await postPayment(instance.url, key, paymentBody('error'));
    expect(retried.status).toBe(402);
    expect(retried.body).toMatchObject({
      code: 'payment_declined',
      transaction_id: payment.transaction_id,
    });
    expect(retried.body.detail).toContain('never received');
  });
});

describeWithServer('postgres', 'reconciliation across restarts and instances', () => {
  let database: TestDatabase;
  let db: pg.Client;
  const instances: Instance[] = [];

  beforeAll(async () => {
    database = await createServerDatabase();
    db = new pg.Client({ connectionString: database.url! });
    await db.connect();
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await db?.end();
    await database?.drop();
  });

  async function start(env: Record<string, string>): Promise<Instance> {
    const instance = await startInstance({
      env: { ...serverEnv(database), ...FAST_RECONCILIATION, LOG_LEVEL: 'info', ...env },
    });
    instances.push(instance);

    return instance;
  }

  it('settles, once, what a stopped instance left pending', async () => {
    const first = await start({ RECONCILE_INTERVAL: '1h' });
    const ids: string[] = [];
    for (let n = 0; n < 5; n += 1) {
      const key = `reconcile-restart-${String(n).padStart(6, '0')}`;
      const created = await postPayment(first.url, key, paymentBody('timeout'));
      expect(created.body.status).toBe('pending');
      ids.push(created.body.transaction_id);
    }
    await first.stop();

    const left = await db.query(`SELECT count(*)::int AS n FROM payments WHERE status = 'pending'`);
    expect(left.rows[0].n).toBe(5);

    const [second, third] = await Promise.all([start({}), start({})]);
    for (const id of ids) await settledTo(second.url, id, 'succeeded');

    const settledLines = [second, third]
      .flatMap((instance) => instance.output().split('\n'))
      .filter((line) => line.includes(SETTLED_LINE));
    expect(settledLines).toHaveLength(5);
    expect(first.output()).not.toContain(SETTLED_LINE);

    const matched = await db.query(`
      SELECT count(*)::int AS n FROM payments p
      JOIN processor_charges c ON c.processor_key = p.processor_key
      WHERE p.status = 'succeeded' AND p.processor_reference = c.reference::text`);
    expect(matched.rows[0].n).toBe(5);
  });
});
