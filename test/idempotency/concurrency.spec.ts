import { chargesForKey } from '../support/db.js';
import { DEV_AUTH, GENEROUS_LIMITS, newKey, postPayment } from '../support/api.js';
import type { Answer } from '../support/api.js';
import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { useFleet } from '../support/fleet.js';
import { describeWithServer } from '../support/servers.js';

const BODY = { amount: 42.1, currency: 'USD', payment_method: 'credit_card' };

/** Every answer is the one created payment (first or replayed) or a 409 to retry later. */
function expectOnePayment(answers: Answer[]): void {
  const created = answers.filter((a) => a.status === 201);
  const bodies = new Set(created.map((a) => a.text));
  const other = answers.filter((a) => a.status !== 201 && a.status !== 409);

  expect(other.map((a) => `${a.status} ${a.text}`)).toEqual([]);
  expect(created.length).toBeGreaterThan(0);
  expect(bodies.size).toBe(1);
  expect(created.filter((a) => a.headers.get('idempotent-replayed') === 'false')).toHaveLength(1);
}

function fire(instances: Instance[], count: number, key: string): Promise<Answer[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      postPayment(instances[i % instances.length].url, key, BODY),
    ),
  );
}

describeWithServer('postgres', 'idempotency under concurrency', () => {
  const fleet = useFleet({ PROCESSOR_LATENCY: '150ms' });
  const start = fleet.start;

  it('charges once for 100 identical requests at one instance', async () => {
    const instance = await start();
    const key = newKey('one-instance');

    expectOnePayment(await fire([instance], 100, key));
    expect(await chargesForKey(fleet.database().url!, key)).toEqual({ payments: 1, charges: 1 });
  });

  it('charges once for 60 identical requests spread over three instances', async () => {
    const trio = await Promise.all([start(), start(), start()]);
    const key = newKey('three-instances');

    expectOnePayment(await fire(trio, 60, key));
    expect(await chargesForKey(fleet.database().url!, key)).toEqual({ payments: 1, charges: 1 });
  });

  it('charges once with Redis unreachable', async () => {
    const trio = await Promise.all(
      [0, 1, 2].map(() => start({ REDIS_URL: 'redis://127.0.0.1:1' }, false)),
    );
    const key = newKey('no-redis');

    expectOnePayment(await fire(trio, 60, key));
    expect(await chargesForKey(fleet.database().url!, key)).toEqual({ payments: 1, charges: 1 });
  });

  it('answers 409 with Retry-After while the first request outlasts the lock wait', async () => {
    const instance = await start({ PROCESSOR_LATENCY: '3s', IDEMPOTENCY_LOCK_WAIT: '300ms' });
    const key = newKey('busy');

    const first = postPayment(instance.url, key, BODY);
    await new Promise((done) => setTimeout(done, 500));
    const second = await postPayment(instance.url, key, BODY);

    expect(second.status).toBe(409);
    expect(JSON.parse(second.text).code).toBe('idempotency_request_in_progress');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await first).status).toBe(201);
  });
});

describe('idempotency on embedded defaults', () => {
  let instance: Instance;

  beforeAll(async () => {
    instance = await startInstance({
      env: {
        ...GENEROUS_LIMITS,
        PROCESSOR_LATENCY: '100ms',
        DATABASE_URL: undefined,
        REDIS_URL: undefined,
      },
    });
  });

  afterAll(async () => {
    await instance.stop();
  });

  it('charges once for 50 identical requests', async () => {
    const key = newKey('embedded');

    expectOnePayment(await fire([instance], 50, key));
    const listed = await fetch(`${instance.url}/api/v1/payments?limit=100`, { headers: DEV_AUTH });
    const page = (await listed.json()) as { data: { idempotency_key: string }[] };
    expect(page.data.filter((p) => p.idempotency_key === key)).toHaveLength(1);
  });
});
