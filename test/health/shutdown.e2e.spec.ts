import { randomUUID } from 'node:crypto';

import pg from 'pg';

import { serverEnv } from '../support/env.js';
import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { describeWithServer } from '../support/servers.js';
import { createServerDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';

const BODY = JSON.stringify({ amount: 7.5, currency: 'USD', payment_method: 'credit_card' });
const CONCURRENT = 24;
/** Payments take longer than the drain delay, so the first wave is still running at close. */
const PROCESSOR_LATENCY_MS = 1500;
const DRAIN_DELAY_MS = 1000;

interface Attempt {
  requestId: string;
  status: number | null;
  transactionId: string | null;
  paymentStatus: string | null;
}

describeWithServer('postgres', 'graceful shutdown under load', () => {
  let database: TestDatabase;
  let instance: Instance;
  let db: pg.Client;

  async function attemptPayment(): Promise<Attempt> {
    const requestId = `shutdown-${randomUUID()}`;
    try {
      const response = await fetch(`${instance.url}/api/v1/payments`, {
        method: 'POST',
        headers: {
          Authorization: 'Bearer test-api-key',
          'Content-Type': 'application/json',
          'Idempotency-Key': `shutdown-${randomUUID()}`,
          'X-Request-Id': requestId,
        },
        body: BODY,
      });
      const body = (await response.json()) as { transaction_id?: string; status?: string };

      return {
        requestId,
        status: response.status,
        transactionId: body.transaction_id ?? null,
        paymentStatus: body.status ?? null,
      };
    } catch {
      return { requestId, status: null, transactionId: null, paymentStatus: null };
    }
  }

  async function readiness(): Promise<number | null> {
    try {
      return (await fetch(`${instance.url}/health/ready`)).status;
    } catch {
      return null;
    }
  }

  beforeAll(async () => {
    database = await createServerDatabase();
    instance = await startInstance({
      env: {
        ...serverEnv(database),
        PROCESSOR_LATENCY: `${PROCESSOR_LATENCY_MS}ms`,
        SHUTDOWN_DRAIN_DELAY: `${DRAIN_DELAY_MS}ms`,
        SHUTDOWN_TIMEOUT: '10s',
        PROCESSOR_TIMEOUT: '5s',
        RATE_LIMIT_USER: '10000/60s',
        RATE_LIMIT_PAYMENTS: '10000/60s',
        RATE_LIMIT_BURST: '1000/s:1000',
      },
    });
    db = new pg.Client({ connectionString: database.url! });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await instance?.stop();
    await database?.drop();
  });

  it('fails readiness first, finishes work in flight, keeps every answer, exits 0', async () => {
    const firstWave = Array.from({ length: CONCURRENT }, () => attemptPayment());
    await new Promise((done) => setTimeout(done, 200));
    const stoppedAt = Date.now();
    const exited = instance.stop('SIGTERM');
    await new Promise((done) => setTimeout(done, 20));
    const readyWhileDraining = await readiness();
    const duringDrain = Array.from({ length: 4 }, () => attemptPayment());
    const attempts = await Promise.all([...firstWave, ...duringDrain]);
    const exitCode = await exited;

    expect(exitCode).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(readyWhileDraining).toBe(503);
    const acknowledged = attempts.filter((attempt) => attempt.status === 201);
    expect(acknowledged.length).toBeGreaterThanOrEqual(CONCURRENT);

    const payments = await db.query(
      `SELECT id::text AS id, status FROM payments WHERE id = ANY($1::uuid[])`,
      [acknowledged.map((attempt) => attempt.transactionId)],
    );
    const stored = new Map(payments.rows.map((row) => [row.id as string, row.status as string]));
    for (const attempt of acknowledged) {
      expect(stored.get(attempt.transactionId!)).toBe(attempt.paymentStatus);
    }

    const answered = attempts.filter((attempt) => attempt.status !== null);
    const audited = await db.query(
      `SELECT request_id, outcome, transaction_id::text AS transaction_id FROM audit_logs
       WHERE request_id = ANY($1::text[])`,
      [answered.map((attempt) => attempt.requestId)],
    );
    const byRequest = new Map(audited.rows.map((row) => [row.request_id as string, row]));
    for (const attempt of answered) expect(byRequest.has(attempt.requestId)).toBe(true);
    for (const attempt of acknowledged) {
      expect(byRequest.get(attempt.requestId)).toMatchObject({
        outcome: 'created',
        transaction_id: attempt.transactionId,
      });
    }
  });
});
