import { randomBytes } from 'node:crypto';

import { Cluster } from 'ioredis';

import { RedisRateLimitStore } from '../../src/rate-limiting/redis-rate-limit.store.js';
import type { ScopeCheck } from '../../src/rate-limiting/rate-limit.types.js';
import { describeWithRedisBinaries, startRedisCluster } from '../support/redis-servers.js';
import type { RedisCluster } from '../support/redis-servers.js';
import { describeStoreContract } from './store-contract.js';

const PORTS = [7100, 7101, 7102];

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, Math.max(0, ms) + 5));

describeWithRedisBinaries('Redis Cluster rate-limit store (3 masters)', () => {
  let cluster: RedisCluster;
  let client: Cluster;
  let store: RedisRateLimitStore;

  beforeAll(async () => {
    cluster = await startRedisCluster(PORTS);
    client = new Cluster(cluster.nodes, {
      redisOptions: { keyPrefix: 'test:rl:', commandTimeout: 2000 },
    });
    store = new RedisRateLimitStore(client);
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  describeStoreContract('Redis Cluster', () => ({
    store,
    advance: sleep,
    edgeMs: 400,
    countersHeld: async (keys) => {
      const found = await Promise.all(keys.map((key) => client.exists(key)));
      return found.reduce((sum, count) => sum + count, 0);
    },
  }));

  describe('Cluster specifics', () => {
    const window = { algorithm: 'sliding_window' as const, limit: 5, windowMs: 60_000 };
    const checksFor = (run: string): ScopeCheck[] => [
      { scope: 'user', key: `rl:{u:${run}}:user`, rule: window, enforced: true },
      { scope: 'ip', key: `rl:{ip:${run}}:ip`, rule: window, enforced: true },
      { scope: 'global', key: `rl:{global-${run}}:global`, rule: window, enforced: true },
    ];

    /** Tags are random per run; pick a run whose scopes land on more than one master. */
    async function checksSpanningMasters(): Promise<ScopeCheck[]> {
      for (let attempt = 0; attempt < 50; attempt += 1) {
        const checks = checksFor(randomBytes(4).toString('hex'));
        const slots = await Promise.all(
          checks.map((check) => client.cluster('KEYSLOT', `test:rl:${check.key}`)),
        );
        if (new Set(slots.map((slot) => ownerOf(client, Number(slot)))).size > 1) return checks;
      }

      throw new Error('no run tag spread over several masters in 50 attempts');
    }

    it('spreads one request’s scopes over several masters without CROSSSLOT errors', async () => {
      const checks = await checksSpanningMasters();

      const decision = await store.consume(checks);

      expect(decision.allowed).toBe(true);
      expect(decision.standings.map((standing) => standing.remaining)).toEqual([4, 4, 4]);
    });

    it('reloads its script on a master that forgot it', async () => {
      const checks = await checksSpanningMasters();
      await store.consume(checks);

      await Promise.all(client.nodes('master').map((node) => node.script('FLUSH')));
      const decision = await store.consume(checks);

      expect(decision.allowed).toBe(true);
      expect(decision.standings.map((standing) => standing.remaining)).toEqual([3, 3, 3]);
    });
  });
});

function ownerOf(client: Cluster, slot: number): string {
  const owners = (client as unknown as { slots: string[][] }).slots[slot];

  return owners[0];
}
