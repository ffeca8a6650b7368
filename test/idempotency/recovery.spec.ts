import { setTimeout as sleep } from 'node:timers/promises';

import { chargesForKey, queryRows } from '../support/db.js';
import { DEV_AUTH, newKey, postPayment } from '../support/api.js';
import { useFleet } from '../support/fleet.js';
import { describeWithServer } from '../support/servers.js';

const BODY = { amount: 7, currency: 'JPY', payment_method: 'wallet' };

async function waitForRow(url: string, sql: string, params: unknown[], timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await queryRows(url, sql, params)).length > 0) return;
    await sleep(50);
  }

  throw new Error(`no row for ${sql}`);
}

describeWithServer('postgres', 'idempotency across crashes, reuse and expiry', () => {
  const fleet = useFleet();
  const start = fleet.start;

  it('resumes a request whose instance died after charging: one payment, one charge', async () => {
    const lock = { IDEMPOTENCY_LOCK_TTL: '1500ms' };
    const slow = { PROCESSOR_LATENCY: '6s', PROCESSOR_TIMEOUT: '30s', RECONCILE_GRACE: '120s' };
    const doomed = await start({ ...lock, ...slow });
    const survivor = await start(lock);
    const key = newKey('crash');

    void postPayment(doomed.url, key, BODY).catch(() => undefined);
    await waitForRow(
      fleet.database().url!,
      `SELECT 1 FROM processor_charges c JOIN payments p ON p.processor_key = c.processor_key
       WHERE p.idempotency_key = $1`,
      [key],
    );
    await doomed.stop('SIGKILL');

    const early = await postPayment(survivor.url, key, BODY);
    await sleep(1600);
    const resumed = await postPayment(survivor.url, key, BODY);
    const replay = await postPayment(survivor.url, key, BODY);

    expect([409, 201]).toContain(early.status);
    expect(resumed.status).toBe(201);
    expect(JSON.parse(resumed.text).status).toBe('succeeded');
    expect(replay.text).toBe(resumed.text);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await chargesForKey(fleet.database().url!, key)).toEqual({ payments: 1, charges: 1 });
  });

  it('refuses the same key with a different body (422) and executes nothing', async () => {
    const instance = await start();
    const key = newKey('reuse');

    const first = await postPayment(instance.url, key, BODY);
    const reused = await postPayment(instance.url, key, { ...BODY, amount: 8 });

    expect(first.status).toBe(201);
    expect(reused.status).toBe(422);
    expect(JSON.parse(reused.text).code).toBe('idempotency_key_reused');
    expect(await chargesForKey(fleet.database().url!, key)).toEqual({ payments: 1, charges: 1 });
  });

  it('scopes keys per account', async () => {
    const otherKey = 'acct-b-key-000000000000000000';
    const instance = await start({ API_KEYS: `acct-b:${otherKey}` });
    const key = newKey('scoped');

    const mine = await postPayment(instance.url, key, BODY);
    const theirs = await postPayment(
      instance.url,
      key,
      { ...BODY, amount: 9 },
      {
        Authorization: `Bearer ${otherKey}`,
      },
    );

    expect(mine.status).toBe(201);
    expect(theirs.status).toBe(201);
    expect(JSON.parse(theirs.text).transaction_id).not.toBe(JSON.parse(mine.text).transaction_id);
  });

  it('stores nothing for a request refused before it executes', async () => {
    const instance = await start();
    const key = newKey('refused');

    const invalid = await postPayment(instance.url, key, { ...BODY, amount: -1 });
    const unauthorized = await postPayment(instance.url, key, BODY, {
      Authorization: 'Bearer nope',
    });
    const valid = await postPayment(instance.url, key, { ...BODY, amount: 5 });

    expect(invalid.status).toBe(400);
    expect(unauthorized.status).toBe(401);
    expect(valid.status).toBe(201);
    expect(valid.headers.get('idempotent-replayed')).toBe('false');
  });

  it('stores a decline as final and replays it', async () => {
    const instance = await start();
    const key = newKey('decline');
    const declined = { ...BODY, metadata: { simulate: 'decline' } };

    const first = await postPayment(instance.url, key, declined);
    const again = await postPayment(instance.url, key, declined);

    expect(first.status).toBe(402);
    expect(again.status).toBe(402);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(await chargesForKey(fleet.database().url!, key)).toEqual({ payments: 1, charges: 1 });
  });

  it('deletes expired keys in the background and lets them be used again', async () => {
    const instance = await start({ IDEMPOTENCY_TTL: '1s', IDEMPOTENCY_SWEEP_INTERVAL: '300ms' });
    const key = newKey('expiry');

    const first = await postPayment(instance.url, key, BODY);
    await sleep(1500);
    const rows = await queryRows(
      fleet.database().url!,
      'SELECT 1 FROM idempotency_keys WHERE idempotency_key = $1',
      [key],
    );
    const reused = await postPayment(instance.url, key, { ...BODY, amount: 11 });

    expect(first.status).toBe(201);
    expect(rows).toHaveLength(0);
    expect(reused.status).toBe(201);
    expect(reused.headers.get('idempotent-replayed')).toBe('false');
  });

  it('simulates concurrent copies that a later plain POST replays', async () => {
    const instance = await start({ PROCESSOR_LATENCY: '100ms' });
    const key = newKey('simulate');

    const response = await fetch(`${instance.url}/api/v1/simulate-concurrent?concurrent_count=20`, {
      method: 'POST',
      headers: { ...DEV_AUTH, 'Content-Type': 'application/json', 'Idempotency-Key': key },
      body: JSON.stringify(BODY),
    });
    const summary = (await response.json()) as {
      concurrent_count: number;
      created: number;
      replayed: number;
      conflicts: number;
      unique_transaction_ids: number;
      results: { status: number; replayed: boolean; transaction_id: string | null }[];
    };
    const later = await postPayment(instance.url, key, BODY);

    expect(response.status).toBe(200);
    expect(summary.concurrent_count).toBe(20);
    expect(summary.created).toBe(1);
    expect(summary.unique_transaction_ids).toBe(1);
    expect(summary.created + summary.replayed + summary.conflicts).toBe(20);
    expect(later.status).toBe(201);
    expect(later.headers.get('idempotent-replayed')).toBe('true');
    expect(JSON.parse(later.text).transaction_id).toBe(
      summary.results[0].transaction_id ?? expect.any(String),
    );
    expect(await chargesForKey(fleet.database().url!, key)).toEqual({ payments: 1, charges: 1 });
  });
});
