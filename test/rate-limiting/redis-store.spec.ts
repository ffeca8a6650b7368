import { randomBytes } from 'node:crypto';

import { jest } from '@jest/globals';
import { Redis } from 'ioredis';

import { RedisRateLimitStore } from '../../src/rate-limiting/redis-rate-limit.store.js';
import type { ScopeCheck } from '../../src/rate-limiting/rate-limit.types.js';
import { SERVER_URLS, describeWithServer } from '../support/servers.js';
import { describeStoreContract } from './store-contract.js';

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, Math.max(0, ms) + 5));

async function deleteByPrefix(client: Redis, prefix: string): Promise<void> {
  const bare = new Redis(SERVER_URLS.redis!);
  try {
    const keys = await bare.keys(`${prefix}*`);
    if (keys.length > 0) await bare.del(...keys);
  } finally {
    bare.disconnect();
  }
  await client.quit();
}

describeWithServer('redis', 'Redis rate-limit store', () => {
  const prefix = `test:rl:${randomBytes(4).toString('hex')}:`;
  let client: Redis;
  let store: RedisRateLimitStore;

  beforeAll(() => {
    client = new Redis(SERVER_URLS.redis!, { keyPrefix: prefix, commandTimeout: 2000 });
    store = new RedisRateLimitStore(client);
  });

  afterAll(() => deleteByPrefix(client, prefix));

  describeStoreContract('Redis', () => ({
    store,
    advance: sleep,
    edgeMs: 400,
    countersHeld: (keys) => client.exists(...keys),
  }));

  describe('Redis specifics', () => {
    const scopes = (run: string): ScopeCheck[] => [
      { scope: 'endpoint', key: `rl:{u:${run}}:endpoint:x`, rule: window(10), enforced: true },
      { scope: 'burst', key: `rl:{u:${run}}:burst`, rule: bucketRule, enforced: true },
      { scope: 'user', key: `rl:{u:${run}}:user`, rule: window(100), enforced: true },
      { scope: 'ip', key: `rl:{ip:${run}}:ip`, rule: window(300), enforced: true },
      { scope: 'global', key: `rl:{global-${run}}:global`, rule: window(1000), enforced: true },
    ];
    const window = (limit: number) => ({
      algorithm: 'sliding_window' as const,
      limit,
      windowMs: 60_000,
    });
    const bucketRule = { algorithm: 'token_bucket' as const, capacity: 50, refillPerSecond: 20 };

    it('decides all five scopes in one command', async () => {
      const checks = scopes(randomBytes(4).toString('hex'));
      await store.peek(checks);
      const sent = jest.spyOn(client, 'sendCommand');

      const decision = await store.consume(checks);

      expect(decision.allowed).toBe(true);
      expect(sent).toHaveBeenCalledTimes(1);
      sent.mockRestore();
    });

    it('keeps no more entries than the limit in a window’s log', async () => {
      const run = randomBytes(4).toString('hex');
      const user: ScopeCheck = {
        scope: 'user',
        key: `rl:{u:${run}}:user`,
        rule: window(3),
        enforced: true,
      };

      for (let index = 0; index < 10; index += 1) await store.consume([user]);

      expect(await client.llen(user.key)).toBe(3);
      expect(await client.pttl(user.key)).toBeGreaterThan(59_000);
    });
  });
});
