import { serverEnv } from '../support/env.js';
import { startInstance } from '../support/instance.js';
import { describeWithServer } from '../support/servers.js';
import { createServerDatabase } from '../support/test-database.js';
import { defineFuzzSuite } from './fuzz.suite.js';
import { BOOT_TIMEOUT_MS } from '../support/timeouts.js';

describeWithServer('postgres', 'fuzzing the API on PostgreSQL', () => {
  defineFuzzSuite({
    async start(env) {
      const database = await createServerDatabase();
      const instance = await startInstance({
        bootTimeoutMs: BOOT_TIMEOUT_MS,
        env: { ...serverEnv(database), ...env },
      });

      return {
        instance,
        stop: async () => {
          await instance.stop();
          await database.drop();
        },
      };
    },
  });
});
