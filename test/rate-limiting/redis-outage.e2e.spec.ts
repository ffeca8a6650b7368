import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { describeWithRedisBinaries, startRedisServer } from '../support/redis-servers.js';
import type { RedisServer } from '../support/redis-servers.js';
import { createTestDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';

const REDIS_PORT = 7110;
const LIMIT = 4;
const ACCOUNTS = {
  before: 'acct-before:key-before-000001',
  during: 'acct-during:key-during-000001',
  after: 'acct-after:key-after-0000001',
  probe: 'acct-probe:key-probe-0000001',
};

const get = async (instance: Instance, account: string) => {
  const started = Date.now();
  const response = await fetch(`${instance.url}/api/v1/payments`, {
    headers: { Authorization: `Bearer ${account.split(':')[1]}` },
  });
  const body = (await response.json()) as { code?: string };

  return { status: response.status, code: body.code, ms: Date.now() - started };
};

async function inSequence<T>(count: number, action: (index: number) => Promise<T>) {
  const results: T[] = [];
  for (let index = 0; index < count; index += 1) results.push(await action(index));

  return results;
}

/** Peeks (consuming nothing) with a caller no refusal is remembered for, so Redis is asked. */
async function degraded(instance: Instance): Promise<boolean> {
  await fetch(`${instance.url}/api/v1/rate-limits`, {
    headers: { Authorization: `Bearer ${ACCOUNTS.probe.split(':')[1]}` },
  });
  const metrics = await (await fetch(`${instance.url}/metrics`)).text();

  return !/^rate_limit_store_degraded 0$/m.test(metrics);
}

async function waitUntilShared(instance: Instance, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await degraded(instance))) return;
    await new Promise((done) => setTimeout(done, 200));
  }

  throw new Error(`still degraded after ${timeoutMs} ms; its output:\n${instance.output()}`);
}

describeWithRedisBinaries('rate limits while Redis goes away and comes back', () => {
  let redis: RedisServer;
  const open: Instance[] = [];
  let closed: Instance;
  const databases: TestDatabase[] = [];

  /** A database of its own per instance: a server one when DATABASE_URL is set (lighter). */
  const start = async (failMode: string) => {
    const database = await createTestDatabase();
    databases.push(database);

    return startInstance({
      env: {
        DATABASE_URL: database.url ?? undefined,
        REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
        REDIS_KEY_PREFIX: 'outage:',
        API_KEYS: Object.values(ACCOUNTS).join(','),
        RATE_LIMIT_USER: `${LIMIT}/60s`,
        RATE_LIMIT_FAIL_MODE: failMode,
      },
      bootTimeoutMs: 90_000,
    });
  };

  beforeAll(async () => {
    redis = await startRedisServer(REDIS_PORT);
    [open[0], open[1], closed] = await Promise.all([start('open'), start('open'), start('closed')]);
  }, 120_000);

  afterAll(async () => {
    await Promise.all([...open, closed].filter(Boolean).map((instance) => instance.stop()));
    await Promise.all(databases.map((database) => database.drop()));
    await redis?.stop();
  });

  it('fails open to local limits or closed with 503, then shares limits again', async () => {
    const before = await inSequence(2, (index) => get(open[index % 2], ACCOUNTS.before));
    const traffic = inSequence(30, async (index) => {
      await new Promise((done) => setTimeout(done, 20));
      return get(open[index % 2], ACCOUNTS.before);
    });
    await new Promise((done) => setTimeout(done, 150));
    await redis.stop();
    const duringTraffic = await traffic;

    const localA = await inSequence(LIMIT + 2, () => get(open[0], ACCOUNTS.during));
    const localB = await inSequence(LIMIT + 2, () => get(open[1], ACCOUNTS.during));
    const refused = await get(closed, ACCOUNTS.during);

    redis = await startRedisServer(REDIS_PORT);
    for (const instance of [...open, closed]) await waitUntilShared(instance);
    const shared = await inSequence(LIMIT + 2, (index) => get(open[index % 2], ACCOUNTS.after));
    const closedAgain = await get(closed, ACCOUNTS.before);

    expect(before.map((result) => result.status)).toEqual([200, 200]);
    for (const result of duringTraffic) {
      expect([200, 429]).toContain(result.status);
      expect(result.ms).toBeLessThan(2000);
    }
    const local = [...localA, ...localB].map((result) => result.status);
    expect(local).toEqual([200, 200, 200, 200, 429, 429, 200, 200, 200, 200, 429, 429]);
    expect(refused).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(refused.ms).toBeLessThan(2000);
    expect(shared.map((result) => result.status)).toEqual([200, 200, 200, 200, 429, 429]);
    expect(closedAgain.status).toBe(200);
  });
});
