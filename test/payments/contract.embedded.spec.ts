import { startInstance } from '../support/instance.js';
import { defineContractSuite } from './contract.suite.js';
import { BOOT_TIMEOUT_MS } from '../support/timeouts.js';

describe('payments contract on embedded defaults (PGlite, in-process store)', () => {
  defineContractSuite({
    async start(env) {
      const instance = await startInstance({
        bootTimeoutMs: BOOT_TIMEOUT_MS,
        env: { ...env, DATABASE_URL: undefined, REDIS_URL: undefined },
      });

      return { instance, storedAmountMinor: null, stop: async () => void (await instance.stop()) };
    },
  });
});
