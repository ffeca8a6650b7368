import { randomUUID } from 'node:crypto';

import pg from 'pg';

import { serverEnv } from '../support/env.js';
import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { PAYMENTS, getPath } from '../support/payments-api.js';
import { describeWithServer } from '../support/servers.js';
import { createServerDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';
import { BOOT_HOOK_TIMEOUT_MS, BOOT_TIMEOUT_MS } from '../support/timeouts.js';

const CLIENT = '203.0.113.9';
const SPOOFED = '198.51.100.7';

/** The audit trail is written in batches; waits (bounded) for the request's entry. */
async function recordedIp(client: pg.Client, requestId: string): Promise<string | null> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { rows } = await client.query<{ ip: string | null }>(
      'SELECT ip FROM audit_logs WHERE request_id = $1',
      [requestId],
    );
    if (rows.length > 0) return rows[0].ip;
    await new Promise((done) => setTimeout(done, 100));
  }

  throw new Error(`no audit entry for ${requestId}`);
}

describeWithServer('postgres', 'client IP as recorded in the audit trail', () => {
  let database: TestDatabase;
  let client: pg.Client;
  const instances: Instance[] = [];

  async function ipSeenBy(instance: Instance, forwardedFor: string): Promise<string | null> {
    const requestId = `ip-${randomUUID()}`;
    const res = await getPath(instance.url, PAYMENTS)
      .set('X-Request-Id', requestId)
      .set('X-Forwarded-For', forwardedFor);
    expect(res.status).toBe(200);

    return recordedIp(client, requestId);
  }

  beforeAll(async () => {
    database = await createServerDatabase();
    client = new pg.Client({ connectionString: database.url! });
    await client.connect();
  }, BOOT_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await client?.end();
    await database?.drop();
  });

  describe('without TRUST_PROXY', () => {
    let instance: Instance;

    beforeAll(async () => {
      instance = await startInstance({
        bootTimeoutMs: BOOT_TIMEOUT_MS,
        env: { ...serverEnv(database), TRUST_PROXY: undefined },
      });
      instances.push(instance);
    }, BOOT_HOOK_TIMEOUT_MS);

    it('records the connecting address, not a spoofed X-Forwarded-For', async () => {
      const ip = await ipSeenBy(instance, SPOOFED);

      expect(ip).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    });
  });

  describe('behind a trusted proxy (TRUST_PROXY=127.0.0.1)', () => {
    let instance: Instance;

    beforeAll(async () => {
      instance = await startInstance({
        bootTimeoutMs: BOOT_TIMEOUT_MS,
        env: { ...serverEnv(database), TRUST_PROXY: '127.0.0.1' },
      });
      instances.push(instance);
    }, BOOT_HOOK_TIMEOUT_MS);

    it('records the client the proxy names', async () => {
      expect(await ipSeenBy(instance, CLIENT)).toBe(CLIENT);
    });

    it('believes only the hop the trusted proxy added, not what the client prepended', async () => {
      expect(await ipSeenBy(instance, `${SPOOFED}, ${CLIENT}`)).toBe(CLIENT);
    });
  });
});
