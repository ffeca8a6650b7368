import { createHash } from 'node:crypto';

import pg from 'pg';

import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { HIGH_RATE_LIMITS, PAYMENTS, getPath } from '../support/payments-api.js';
import { expectUnauthorized } from '../support/problem.js';
import { describeWithServer } from '../support/servers.js';
import { runBuilt } from '../support/spawn.js';
import { createServerDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';
import { BOOT_HOOK_TIMEOUT_MS, BOOT_TIMEOUT_MS } from '../support/timeouts.js';

/** The secret part of `pk_<12-char id>_<secret>`; the secret itself may contain `_`. */
function secretOf(key: string): string {
  return key.slice('pk_'.length + 12 + 1);
}

const ISSUED_KEY = /^pk_([a-z0-9]{12})_[A-Za-z0-9_-]{43}$/;

interface CreatedKey {
  key_id: string;
  account: string;
  label: string | null;
  expires_at: string | null;
  key: string;
}

interface ListedKey {
  key_id: string;
  account: string;
  state: string;
}

describeWithServer('postgres', 'api-key and migrate CLIs on PostgreSQL', () => {
  let database: TestDatabase;
  let client: pg.Client;
  let instance: Instance;

  const apiKey = (...args: string[]) =>
    runBuilt('dist/src/cli/api-key.js', args, { DATABASE_URL: database.url! });

  async function createKey(account: string, ...options: string[]): Promise<CreatedKey> {
    const result = await apiKey('create', account, '--json', ...options);
    expect(result).toEqual(expect.objectContaining({ code: 0, stderr: '' }));

    return JSON.parse(result.stdout) as CreatedKey;
  }

  async function listKeys(account?: string): Promise<ListedKey[]> {
    const result = await apiKey('list', ...(account ? [account] : []), '--json');
    expect(result.code).toBe(0);

    return JSON.parse(result.stdout) as ListedKey[];
  }

  beforeAll(async () => {
    database = await createServerDatabase();
    client = new pg.Client({ connectionString: database.url! });
    await client.connect();
  }, BOOT_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await instance?.stop();
    await client?.end();
    await database?.drop();
  });

  it('migrate applies every migration to a fresh database, then finds nothing to do', async () => {
    const first = await runBuilt('dist/src/cli/migrate.js', [], { DATABASE_URL: database.url! });
    const second = await runBuilt('dist/src/cli/migrate.js', [], { DATABASE_URL: database.url! });

    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/DATABASE_URL: applied \d+ migration\(s\)/);
    expect(first.stdout).toContain('InitialSchema1764806400000');
    expect(first.stdout).not.toContain(database.url!);
    expect(second).toEqual(
      expect.objectContaining({ code: 0, stdout: 'DATABASE_URL: no pending migrations\n' }),
    );
    const { rows } = await client.query(`SELECT to_regclass('api_keys') AS t`);
    expect(rows[0].t).toBe('api_keys');
  });

  it('creates a key in the issued format, stored only as its SHA-256 hash', async () => {
    const created = await createKey('acct-cli', '--label', 'ci runner', '--expires-in', '90d');

    const id = ISSUED_KEY.exec(created.key)?.[1];
    expect(id).toBe(created.key_id);
    expect(created).toEqual(expect.objectContaining({ account: 'acct-cli', label: 'ci runner' }));
    const daysLeft = (Date.parse(created.expires_at!) - Date.now()) / 86_400_000;
    expect(Math.round(daysLeft)).toBe(90);

    const { rows } = await client.query('SELECT * FROM api_keys WHERE key_id = $1', [id]);
    expect(rows).toHaveLength(1);
    expect(rows[0].key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(JSON.stringify(rows[0])).not.toContain(secretOf(created.key));
  });

  it('prints a new key once in human form too', async () => {
    const result = await apiKey('create', 'acct-human');

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/shown this once/);
    expect(result.stdout.match(/pk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}/g)).toHaveLength(1);
  });

  it('lists public ids and state, never a secret or a hash', async () => {
    const created = await createKey('acct-list');
    const { rows } = await client.query('SELECT key_hash FROM api_keys');

    const json = await apiKey('list', '--json');
    const human = await apiKey('list');
    const scoped = await listKeys('acct-list');

    expect(scoped).toEqual([
      expect.objectContaining({ key_id: created.key_id, account: 'acct-list', state: 'active' }),
    ]);
    expect(human.stdout).toContain(created.key_id);
    for (const output of [json.stdout, human.stdout]) {
      expect(output).not.toContain(secretOf(created.key));
      for (const { key_hash: hash } of rows) expect(output).not.toContain(hash);
    }
  });

  describe('with the service running on the same database', () => {
    // The instance asks the database on every request (no API_KEY_CACHE_TTL), so a revocation
    // from the CLI, another process, is seen at once; with the cache it takes up to its TTL.
    beforeAll(async () => {
      instance = await startInstance({
        bootTimeoutMs: BOOT_TIMEOUT_MS,
        env: { ...HIGH_RATE_LIMITS, DATABASE_URL: database.url!, API_KEY_CACHE_TTL: '0s' },
      });
    }, BOOT_HOOK_TIMEOUT_MS);

    it('accepts a created key at once and refuses it at once when revoked', async () => {
      const created = await createKey('acct-revoke');

      const before = await getPath(instance.url, PAYMENTS, created.key);
      const revoked = await apiKey('revoke', created.key_id);
      const after = await getPath(instance.url, PAYMENTS, created.key);

      expect(before.status).toBe(200);
      expect(revoked.code).toBe(0);
      expectUnauthorized(after);
      expect((await listKeys('acct-revoke'))[0].state).toMatch(/^revoked /);
    });

    it('refuses an expired key', async () => {
      const created = await createKey('acct-expiry', '--expires-in', '1h');
      await client.query(
        `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE key_id = $1`,
        [created.key_id],
      );

      const res = await getPath(instance.url, PAYMENTS, created.key);

      expectUnauthorized(res);
      expect((await listKeys('acct-expiry'))[0].state).toBe('expired');
    });

    it('rotates: old and new keys work side by side until the old one is revoked', async () => {
      const old = await createKey('acct-rotate');
      const fresh = await createKey('acct-rotate');

      const bothBefore = await Promise.all(
        [old, fresh].map(({ key }) => getPath(instance.url, PAYMENTS, key)),
      );
      await apiKey('revoke', old.key_id);
      const oldAfter = await getPath(instance.url, PAYMENTS, old.key);
      const freshAfter = await getPath(instance.url, PAYMENTS, fresh.key);

      expect(bothBefore.map(({ status }) => status)).toEqual([200, 200]);
      expectUnauthorized(oldAfter);
      expect(freshAfter.status).toBe(200);
    });

    it('refuses a key whose secret is wrong even though its id exists', async () => {
      const created = await createKey('acct-forged');
      const forged = `pk_${created.key_id}_${'A'.repeat(43)}`;

      expectUnauthorized(await getPath(instance.url, PAYMENTS, forged));
    });
  });

  it.each([
    [['create'], 'create takes one account'],
    [['create', 'bad account'], 'expected 1-64 of'],
    [['create', 'acct', '--expires-in', 'soon'], '--expires-in="soon"'],
    [['create', 'acct', '--expires-in', '10s'], 'a duration of 1m or more'],
    [['create', 'acct', '--colour'], "Unknown option '--colour'"],
    [['revoke'], 'revoke takes one key id'],
    [['rotate', 'acct'], 'unknown command rotate'],
  ])('answers usage error %j with exit code 2 and the usage', async (args, message) => {
    const result = await apiKey(...args);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain('Usage: npm run api-key');
  });

  it('fails with exit code 1 when revoking an unknown key id', async () => {
    const result = await apiKey('revoke', 'nosuchkey000');

    expect(result).toEqual(
      expect.objectContaining({ code: 1, stderr: 'api-key: no active key with id nosuchkey000\n' }),
    );
  });

  it('stops with a message naming the variable when the configuration is bad', async () => {
    const result = await runBuilt('dist/src/cli/api-key.js', ['list'], {
      DATABASE_URL: database.url!,
      PORT: 'abc',
    });

    expect(result.code).toBe(78);
    expect(result.stderr).toContain('PORT="abc" is invalid');
  });
});
