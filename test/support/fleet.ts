import { randomBytes } from 'node:crypto';

import { GENEROUS_LIMITS } from './api.js';
import { serverEnv } from './env.js';
import { startInstance } from './instance.js';
import type { Instance } from './instance.js';
import { createServerDatabase } from './test-database.js';
import type { TestDatabase } from './test-database.js';

type Env = Record<string, string | undefined>;

export interface Fleet {
  /** The suite's own database; set once beforeAll has run. */
  database(): TestDatabase;
  /** Starts one more instance on the suite's database (and Redis unless `withRedis` is false). */
  start(env?: Env, withRedis?: boolean): Promise<Instance>;
}

/**
 * Instances of one suite on a database of its own: registers the hooks that create the
 * database, kill every instance after each test and drop the database at the end.
 */
export function useFleet(defaults: Env = {}): Fleet {
  let database: TestDatabase | undefined;
  const running: Instance[] = [];
  // One prefix for the whole fleet, so its instances share Redis state as in production.
  const prefix = `test:${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    database = await createServerDatabase();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((instance) => instance.stop('SIGKILL')));
  });

  afterAll(async () => {
    await database?.drop();
  });

  return {
    database: () => database!,
    start: async (env: Env = {}, withRedis = true) => {
      const instance = await startInstance({
        env: {
          ...GENEROUS_LIMITS,
          REDIS_KEY_PREFIX: prefix,
          ...defaults,
          ...serverEnv(database!, withRedis),
          ...env,
        },
      });
      running.push(instance);
      return instance;
    },
  };
}
