import { startInstance } from '../support/instance.js';
import { defineFuzzSuite } from './fuzz.suite.js';
import { BOOT_TIMEOUT_MS } from '../support/timeouts.js';

describe('fuzzing the API on embedded defaults', () => {
  defineFuzzSuite({
    async start(env) {
      const instance = await startInstance({
        bootTimeoutMs: BOOT_TIMEOUT_MS,
        env: { ...env, DATABASE_URL: undefined, REDIS_URL: undefined },
      });

      return { instance, stop: async () => void (await instance.stop()) };
    },
  });
});
