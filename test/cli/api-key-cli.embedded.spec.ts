import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { PAYMENTS, getPath } from '../support/payments-api.js';
import { expectUnauthorized } from '../support/problem.js';
import { runBuilt } from '../support/spawn.js';
import { BOOT_HOOK_TIMEOUT_MS, BOOT_TIMEOUT_MS } from '../support/timeouts.js';

describe('api-key CLI on the embedded database in DATA_DIR', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'payments-cli-'));
  const env = { DATA_DIR: dataDir, DATABASE_URL: undefined, REDIS_URL: undefined };
  const apiKey = (...args: string[]) => runBuilt('dist/src/cli/api-key.js', args, env);
  let instance: Instance | undefined;

  afterAll(async () => {
    await instance?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'issues a key while the service is stopped, the service accepts it, revoking stops it',
    async () => {
      const created = await apiKey('create', 'acct-embedded', '--json');
      expect(created.code).toBe(0);
      const { key, key_id: keyId } = JSON.parse(created.stdout) as { key: string; key_id: string };

      instance = await startInstance({ bootTimeoutMs: BOOT_TIMEOUT_MS, env });
      const accepted = await getPath(instance.url, PAYMENTS, key);
      const whileRunning = await apiKey('list');
      await instance.stop();

      const revoked = await apiKey('revoke', keyId);
      instance = await startInstance({ bootTimeoutMs: BOOT_TIMEOUT_MS, env });
      const refused = await getPath(instance.url, PAYMENTS, key);

      expect(accepted.status).toBe(200);
      expect(whileRunning.code).toBe(1);
      expect(whileRunning.stderr).toMatch(/DATA_DIR .* is in use by process \d+/);
      expect(revoked.code).toBe(0);
      expectUnauthorized(refused);
    },
    BOOT_HOOK_TIMEOUT_MS + 60_000,
  );
});
