import pg from 'pg';

import { PaymentsClient, RetryPolicy } from '../../client/src/index.js';
import type { Payment, RetryEvent } from '../../client/src/index.js';
import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { serverEnv } from '../support/env.js';
import { describeWithServer } from '../support/servers.js';
import { createServerDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';
import { GENEROUS_LIMITS } from './support.js';

const PAYMENTS = 200;
const CONCURRENCY = 10;

/** Runs `task` for 0..count-1 with at most `width` at once; results in index order. */
async function inPool<T>(count: number, width: number, task: (index: number) => Promise<T>) {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      results[index] = await task(index);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));

  return results;
}

/** A fetch that sends each attempt to the next instance in turn, retries included. */
function roundRobin(instances: Instance[], baseUrl: string): typeof fetch {
  let turn = 0;

  return (input, init) => {
    const target = instances[turn % instances.length];
    turn += 1;

    return fetch(String(input).replace(baseUrl, target.url), init);
  };
}

describeWithServer('postgres', 'the client against a flaky processor', () => {
  let database: TestDatabase;
  let db: pg.Client;
  const instances: Instance[] = [];

  beforeAll(async () => {
    database = await createServerDatabase();
    const env = {
      ...serverEnv(database),
      ...GENEROUS_LIMITS,
      PROCESSOR_FAILURE_RATE: '0.5',
      PROCESSOR_BREAKER_HALF_OPEN: '1s',
    };
    // One after the other: the first runs the migrations.
    instances.push(await startInstance({ env }));
    instances.push(await startInstance({ env }));
    db = new pg.Client({ connectionString: database.url! });
    await db.connect();
  });

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await db?.end();
    await database?.drop();
  });

  it(`creates each of ${PAYMENTS} payments exactly once`, async () => {
    const baseUrl = instances[0].url;
    const retries: RetryEvent[] = [];
    const client = new PaymentsClient({
      baseUrl,
      apiKey: 'test-api-key',
      fetch: roundRobin(instances, baseUrl),
      retryPolicy: new RetryPolicy({
        maxRetries: 40,
        baseDelayMs: 20,
        maxDelayMs: 1000,
        deadlineMs: 120_000,
      }),
      onRetry: (event) => retries.push(event),
    });

    const payments: Payment[] = await inPool(PAYMENTS, CONCURRENCY, (index) =>
      client.createPayment({
        amount: (100 + index) / 100,
        currency: 'USD',
        paymentMethod: 'credit_card',
        metadata: { order: `order-${index}` },
      }),
    );

    expect(payments.every((payment) => payment.status === 'succeeded')).toBe(true);
    expect(new Set(payments.map((payment) => payment.transactionId)).size).toBe(PAYMENTS);
    expect(new Set(payments.map((payment) => payment.idempotencyKey)).size).toBe(PAYMENTS);
    expect(retries.some((event) => event.error.code === 'processor_unavailable')).toBe(true);

    const rows = await db.query<{ payments: number; charges: number; matched: number }>(`
      SELECT (SELECT count(*)::int FROM payments) AS payments,
             (SELECT count(*)::int FROM processor_charges) AS charges,
             (SELECT count(*)::int FROM payments p
                JOIN processor_charges c ON c.processor_key = p.processor_key
               WHERE p.status = 'succeeded'
                 AND p.amount_minor = c.amount_minor
                 AND p.processor_reference = c.reference::text) AS matched`);
    expect(rows.rows[0]).toEqual({ payments: PAYMENTS, charges: PAYMENTS, matched: PAYMENTS });

    const perOrder = await db.query<{ order: string; n: number }>(`
      SELECT metadata->>'order' AS order, count(*)::int AS n FROM payments
      GROUP BY 1 HAVING count(*) <> 1`);
    expect(perOrder.rows).toEqual([]);
  });
});
