import { randomUUID } from 'node:crypto';

import request from 'supertest';

import { serverEnv } from '../support/env.js';
import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { parseSamples, valueOf } from '../support/prometheus-text.js';
import type { Sample } from '../support/prometheus-text.js';
import { createTestDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';

const BODY = { amount: 5, currency: 'EUR', payment_method: 'debit_card' };

/** The embedded database boots slowly on a busy machine. */
const EMBEDDED_BOOT_MS = 50_000;

describe('GET /metrics', () => {
  let database: TestDatabase;
  let instance: Instance;

  const pay = (body: object = BODY, key = `metrics-${randomUUID()}`) =>
    request(instance.url)
      .post('/api/v1/payments')
      .set('Authorization', 'Bearer test-api-key')
      .set('Idempotency-Key', key)
      .send(body);

  async function scrape(): Promise<{ text: string; samples: Sample[] }> {
    const response = await request(instance.url).get('/metrics').expect(200);
    expect(response.headers['content-type']).toContain('text/plain');

    return { text: response.text, samples: parseSamples(response.text) };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    instance = await startInstance({ env: serverEnv(database), bootTimeoutMs: EMBEDDED_BOOT_MS });
  });

  afterAll(async () => {
    await instance?.stop();
    await database?.drop();
  });

  it('reports no success rate before any charge, rather than 0 or 1', async () => {
    const { samples } = await scrape();

    expect(valueOf(samples, 'payment_success_rate')).toBeNaN();
    expect(valueOf(samples, 'processor_circuit_state')).toBe(0);
  });

  it('counts payment outcomes, replays, processor errors and the success rate', async () => {
    const key = `metrics-${randomUUID()}`;
    await pay(BODY, key).expect(201);
    await pay(BODY, key).expect(201);
    await pay().expect(201);
    await pay({ ...BODY, metadata: { simulate: 'decline' } }).expect(402);
    await pay({ ...BODY, metadata: { simulate: 'error' } }).expect(503);
    await pay({ ...BODY, amount: 0 }).expect(400);

    const { samples } = await scrape();
    const outcome = (name: string) => valueOf(samples, 'payment_requests_total', { outcome: name });

    expect([outcome('created'), outcome('replayed'), outcome('declined')]).toEqual([2, 1, 1]);
    expect([outcome('unavailable'), outcome('invalid')]).toEqual([1, 1]);
    expect(valueOf(samples, 'idempotent_replays_total')).toBe(1);
    expect(valueOf(samples, 'payment_success_rate')).toBe(0.5);
    expect(valueOf(samples, 'processor_errors_total', { kind: 'transient' })).toBe(1);
  });

  it('labels durations with the route template, and unknown routes as unmatched', async () => {
    const created = await pay().expect(201);
    const id = created.body.transaction_id as string;
    await request(instance.url)
      .get(`/api/v1/payments/${id}`)
      .set('Authorization', 'Bearer test-api-key')
      .expect(200);
    await request(instance.url).get(`/no/such/${randomUUID()}`).expect(404);

    const { text, samples } = await scrape();
    const count = (labels: Record<string, string>) =>
      valueOf(samples, 'http_request_duration_seconds_count', labels);

    expect(
      count({ method: 'GET', route: '/api/v1/payments/:transaction_id', status_code: '200' }),
    ).toBe(1);
    expect(
      count({ method: 'POST', route: '/api/v1/payments', status_code: '201' }),
    ).toBeGreaterThan(0);
    expect(count({ method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    expect(text).not.toContain(id);
    expect(text).not.toContain('/no/such');
  });

  it('exports every contract and operations metric', async () => {
    const { text } = await scrape();
    const names = [
      'payment_requests_total',
      'payment_success_rate',
      'rate_limit_exceeded_total',
      'idempotent_replays_total',
      'concurrent_conflicts_total',
      'http_request_duration_seconds',
      'processor_circuit_state',
      'processor_circuit_transitions_total',
      'processor_errors_total',
      'audit_entries_dropped_total',
      'audit_buffer_entries',
      'audit_write_failures_total',
      'audit_retention_deleted_total',
    ];

    for (const name of names) expect(text).toContain(`# TYPE ${name} `);
  });
});
