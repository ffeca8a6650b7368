import { randomBytes } from 'node:crypto';

import { Redis } from 'ioredis';

import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { SERVER_URLS, describeWithServer } from '../support/servers.js';
import { createTestDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';

const LIMIT = 10;
const KEY = 'acct-shared:key-shared-00000001';

describeWithServer('redis', 'rate limits shared by three instances', () => {
  const prefix = `test:${randomBytes(4).toString('hex')}:`;
  const databases: TestDatabase[] = [];
  let instances: Instance[] = [];

  beforeAll(async () => {
    for (let index = 0; index < 3; index += 1) databases.push(await createTestDatabase());
    instances = await Promise.all(
      databases.map((database) =>
        startInstance({
          env: {
            DATABASE_URL: database.url ?? undefined,
            REDIS_URL: SERVER_URLS.redis!,
            REDIS_KEY_PREFIX: prefix,
            API_KEYS: KEY,
            RATE_LIMIT_USER: `${LIMIT}/60s`,
            RATE_LIMIT_BURST: '1000/s:1000',
          },
          bootTimeoutMs: 90_000,
        }),
      ),
    );
  }, 120_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await Promise.all(databases.map((database) => database.drop()));
    const redis = new Redis(SERVER_URLS.redis!);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  it(`admits exactly ${LIMIT} of ${3 * LIMIT} concurrent requests spread over them`, async () => {
    const requests = Array.from({ length: 3 * LIMIT }, (_, index) =>
      fetch(`${instances[index % 3].url}/api/v1/payments`, {
        headers: { Authorization: `Bearer ${KEY.split(':')[1]}` },
      }),
    );

    const responses = await Promise.all(requests);
    const statuses = responses.map((response) => response.status);

    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(2 * LIMIT);
    const scopes = await Promise.all(
      responses
        .filter((response) => response.status === 429)
        .map(async (response) => ((await response.json()) as { scope: string }).scope),
    );
    expect(new Set(scopes)).toEqual(new Set(['user']));
  });
});
