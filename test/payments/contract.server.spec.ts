import pg from 'pg';

import { serverEnv } from '../support/env.js';
import { startInstance } from '../support/instance.js';
import { describeWithServer } from '../support/servers.js';
import { createServerDatabase } from '../support/test-database.js';
import { defineContractSuite } from './contract.suite.js';
import { BOOT_TIMEOUT_MS } from '../support/timeouts.js';

describeWithServer('postgres', 'payments contract on PostgreSQL', () => {
  defineContractSuite({
    async start(env) {
      const database = await createServerDatabase();
      const instance = await startInstance({
        bootTimeoutMs: BOOT_TIMEOUT_MS,
        env: { ...serverEnv(database), ...env },
      });
      const client = new pg.Client({ connectionString: database.url! });
      await client.connect();

      return {
        instance,
        storedAmountMinor: async (id) => {
          const { rows } = await client.query<{ amount_minor: string }>(
            'SELECT amount_minor::text AS amount_minor FROM payments WHERE id = $1',
            [id],
          );
          return rows[0]?.amount_minor ?? 'missing';
        },
        stop: async () => {
          await instance.stop();
          await client.end();
          await database.drop();
        },
      };
    },
  });
});
