import { randomUUID } from 'node:crypto';

import pg from 'pg';
import request from 'supertest';

import { auditPageQuery } from '../../src/audit/audit-log.sql.js';
import type { AuditPageFilter } from '../../src/audit/audit-log.sql.js';
import { serverEnv } from '../support/env.js';
import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { describeWithServer } from '../support/servers.js';
import { createServerDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';

const KEY_A = 'test-api-key';
const KEY_B = 'acct-b-key-0123456789';
const BODY = { amount: 10, currency: 'USD', payment_method: 'credit_card' };

interface Entry {
  id: string;
  occurred_at: string;
  action: string;
  outcome: string;
  status_code: number;
  request_id: string;
  ip: string | null;
  method: string;
  path: string;
  idempotency_key: string | null;
  transaction_id: string | null;
  latency_ms: number | null;
}

interface Page {
  data: Entry[];
  next_cursor: string | null;
}

const newKey = () => `audit-${randomUUID()}`;
const newRequestId = () => `rid-${randomUUID()}`;

describeWithServer('postgres', 'audit trail on PostgreSQL', () => {
  let database: TestDatabase;
  let instance: Instance;
  let db: pg.Client;

  const auditLogs = (key: string, query: Record<string, string | number> = {}) =>
    request(instance.url)
      .get('/api/v1/audit-logs')
      .set('Authorization', `Bearer ${key}`)
      .query(query);

  const pay = (options: { key?: string; apiKey?: string; body?: object; requestId?: string }) =>
    request(instance.url)
      .post('/api/v1/payments')
      .set('Authorization', `Bearer ${options.apiKey ?? KEY_A}`)
      .set('Idempotency-Key', options.key ?? newKey())
      .set('X-Request-Id', options.requestId ?? newRequestId())
      .send(options.body ?? BODY);

  /** Buffered entries are written within a few hundred milliseconds; waits for one by id. */
  async function entryFor(requestId: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      const found = await db.query('SELECT * FROM audit_logs WHERE request_id = $1', [requestId]);
      if (found.rows.length > 0) {
        expect(found.rows).toHaveLength(1);
        return found.rows[0] as Record<string, unknown>;
      }
      await new Promise((done) => setTimeout(done, 50));
    }

    throw new Error(`no audit entry for request ${requestId}`);
  }

  async function allPages(key: string, query: Record<string, string | number>) {
    const entries: Entry[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page += 1) {
      const response = await auditLogs(key, cursor ? { ...query, cursor } : query).expect(200);
      const body = response.body as Page;
      entries.push(...body.data);
      cursor = body.next_cursor;
      if (cursor === null) return entries;
    }

    throw new Error('pagination did not end');
  }

  beforeAll(async () => {
    database = await createServerDatabase();
    instance = await startInstance({
      env: {
        ...serverEnv(database),
        API_KEYS: `acct-b:${KEY_B}`,
        PROCESSOR_LATENCY: '300ms',
        IDEMPOTENCY_LOCK_WAIT: '0ms',
        RATE_LIMIT_USER: '10000/60s',
        RATE_LIMIT_PAYMENTS: '10000/60s',
        RATE_LIMIT_BURST: '1000/s:1000',
      },
    });
    db = new pg.Client({ connectionString: database.url! });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await instance?.stop();
    await database?.drop();
  });

  describe('outcomes of payment routes', () => {
    it('records a creation with its payment and its replay as its own entry', async () => {
      const key = newKey();
      const [first, replay] = [newRequestId(), newRequestId()];
      const created = await pay({ key, requestId: first }).expect(201);
      await pay({ key, requestId: replay }).expect(201);

      const createdEntry = await entryFor(first);
      const replayEntry = await entryFor(replay);

      expect(createdEntry).toMatchObject({
        account_id: 'test-user',
        action: 'payment.create',
        outcome: 'created',
        status_code: 201,
        idempotency_key: key,
        transaction_id: created.body.transaction_id,
        method: 'POST',
        path: '/api/v1/payments',
        ip: '127.0.0.1',
      });
      expect(replayEntry).toMatchObject({
        outcome: 'replayed',
        status_code: 201,
        transaction_id: created.body.transaction_id,
      });
    });

    it('records a decline and a processor failure', async () => {
      const [declined, failed] = [newRequestId(), newRequestId()];
      const declineBody = { ...BODY, metadata: { simulate: 'decline' } };
      await pay({ requestId: declined, body: declineBody }).expect(402);
      const errorBody = { ...BODY, metadata: { simulate: 'error' } };
      await pay({ requestId: failed, body: errorBody }).expect(503);

      expect(await entryFor(declined)).toMatchObject({ outcome: 'declined', status_code: 402 });
      expect(await entryFor(failed)).toMatchObject({ outcome: 'unavailable', status_code: 503 });
    });

    it('records a key reused with another body and a key still in progress', async () => {
      const key = newKey();
      const [first, busy, reused] = [newRequestId(), newRequestId(), newRequestId()];
      const running = pay({ key, requestId: first }).then((response) => response);
      await new Promise((done) => setTimeout(done, 100));
      await pay({ key, requestId: busy }).expect(409);
      expect((await running).status).toBe(201);
      await pay({ key, requestId: reused, body: { ...BODY, amount: 11 } }).expect(422);

      expect(await entryFor(busy)).toMatchObject({ outcome: 'conflict', status_code: 409 });
      expect(await entryFor(reused)).toMatchObject({ outcome: 'key_reused', status_code: 422 });
    });

    it('records an unauthenticated attempt with its IP and no account', async () => {
      const requestId = newRequestId();
      await request(instance.url)
        .post('/api/v1/payments')
        .set('Authorization', 'Bearer not-a-real-key-000')
        .set('X-Request-Id', requestId)
        .send(BODY)
        .expect(401);

      expect(await entryFor(requestId)).toMatchObject({
        account_id: null,
        outcome: 'unauthorized',
        status_code: 401,
        ip: '127.0.0.1',
      });
    });

    it('records invalid bodies, including those refused before parsing', async () => {
      const invalid = newRequestId();
      await pay({ requestId: invalid, body: { ...BODY, amount: -1 } }).expect(400);
      const malformed = newRequestId();
      await request(instance.url)
        .post('/api/v1/payments')
        .set('Authorization', `Bearer ${KEY_A}`)
        .set('Idempotency-Key', newKey())
        .set('X-Request-Id', malformed)
        .set('Content-Type', 'application/json')
        .send('{"amount": 1,')
        .expect(400);
      const tooLarge = newRequestId();
      await pay({ requestId: tooLarge, body: { ...BODY, description: 'x'.repeat(20_000) } }).expect(
        413,
      );
      const notJson = newRequestId();
      await request(instance.url)
        .post('/api/v1/payments')
        .set('Authorization', `Bearer ${KEY_A}`)
        .set('X-Request-Id', notJson)
        .set('Content-Type', 'text/plain')
        .send('amount=1')
        .expect(415);

      expect(await entryFor(invalid)).toMatchObject({ outcome: 'invalid', status_code: 400 });
      expect(await entryFor(malformed)).toMatchObject({
        account_id: 'test-user',
        outcome: 'invalid',
        status_code: 400,
      });
      expect(await entryFor(tooLarge)).toMatchObject({ outcome: 'invalid', status_code: 413 });
      expect(await entryFor(notJson)).toMatchObject({ outcome: 'invalid', status_code: 415 });
    });

    it('records reads and lists with outcome ok, and a missing payment as invalid', async () => {
      const created = await pay({}).expect(201);
      const id = created.body.transaction_id as string;
      const [read, list, missing] = [newRequestId(), newRequestId(), newRequestId()];
      const get = (path: string, requestId: string) =>
        request(instance.url)
          .get(path)
          .set('Authorization', `Bearer ${KEY_A}`)
          .set('X-Request-Id', requestId);
      await get(`/api/v1/payments/${id}`, read).expect(200);
      await get('/api/v1/payments?limit=1', list).expect(200);
      await get(`/api/v1/payments/${randomUUID()}`, missing).expect(404);

      expect(await entryFor(read)).toMatchObject({
        action: 'payment.read',
        outcome: 'ok',
        transaction_id: id,
      });
      expect(await entryFor(list)).toMatchObject({
        action: 'payment.list',
        outcome: 'ok',
        path: '/api/v1/payments',
      });
      expect(await entryFor(missing)).toMatchObject({ outcome: 'invalid', status_code: 404 });
    });
  });

  describe('GET /api/v1/audit-logs', () => {
    it('shows each account only its own entries', async () => {
      const mine = [newRequestId(), newRequestId()];
      const theirs = [newRequestId(), newRequestId()];
      for (const requestId of mine) await pay({ requestId }).expect(201);
      for (const requestId of theirs) await pay({ requestId, apiKey: KEY_B }).expect(201);
      await entryFor(theirs[1]);

      const seenByA = (await allPages(KEY_A, { limit: 100 })).map((entry) => entry.request_id);
      const seenByB = (await allPages(KEY_B, { limit: 100 })).map((entry) => entry.request_id);

      expect(seenByA).toEqual(expect.arrayContaining(mine));
      expect(seenByA).not.toEqual(expect.arrayContaining([theirs[0]]));
      expect(seenByA).not.toEqual(expect.arrayContaining([theirs[1]]));
      expect(seenByB.sort()).toEqual([...theirs].sort());
    });

    it('pages newest first without gaps or repeats', async () => {
      for (let index = 0; index < 7; index += 1) await pay({ apiKey: KEY_B }).expect(201);
      const everything = (await auditLogs(KEY_B, { limit: 100 }).expect(200)).body as Page;

      const paged = await allPages(KEY_B, { limit: 3 });

      expect(everything.next_cursor).toBeNull();
      expect(paged.map((entry) => entry.id)).toEqual(everything.data.map((entry) => entry.id));
      const times = paged.map((entry) => Date.parse(entry.occurred_at));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      expect(paged.length).toBeGreaterThanOrEqual(9);
    });

    it('filters by action, outcome and time range', async () => {
      const before = new Date().toISOString();
      await new Promise((done) => setTimeout(done, 20));
      const declined = newRequestId();
      await pay({
        requestId: declined,
        apiKey: KEY_B,
        body: { ...BODY, metadata: { simulate: 'decline' } },
      }).expect(402);
      await entryFor(declined);
      const after = new Date(Date.now() + 1000).toISOString();

      const byOutcome = (await auditLogs(KEY_B, { outcome: 'declined' }).expect(200)).body as Page;
      const byAction = (await auditLogs(KEY_B, { action: 'payment.read' }).expect(200))
        .body as Page;
      const inRange = (await auditLogs(KEY_B, { from: before, to: after }).expect(200))
        .body as Page;
      const beforeRange = (await auditLogs(KEY_B, { to: before }).expect(200)).body as Page;

      expect(byOutcome.data.map((entry) => entry.request_id)).toEqual([declined]);
      expect(byAction.data).toEqual([]);
      expect(inRange.data.map((entry) => entry.request_id)).toEqual([declined]);
      expect(beforeRange.data.map((entry) => entry.request_id)).not.toContain(declined);
    });

    it('refuses bad queries with validation_failed and field paths', async () => {
      const response = await auditLogs(KEY_A, {
        limit: 101,
        from: '2025-01-01',
        outcome: 'maybe',
        action: 'payment.delete',
        sort: 'asc',
      }).expect(400);

      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.body.code).toBe('validation_failed');
      const fields = (response.body.errors as { field: string }[]).map((error) => error.field);
      expect(fields.sort()).toEqual(['action', 'from', 'limit', 'outcome', 'sort']);
    });

    it('refuses a reversed range, a zero limit and a forged cursor', async () => {
      const reversed = await auditLogs(KEY_A, {
        from: '2025-02-01T00:00:00Z',
        to: '2025-01-01T00:00:00Z',
      }).expect(400);
      const zero = await auditLogs(KEY_A, { limit: 0 }).expect(400);
      const forged = await auditLogs(KEY_A, { cursor: 'bm90LWEtY3Vyc29y' }).expect(400);

      expect(reversed.body.errors).toEqual([
        { field: 'to', message: 'must not be earlier than from' },
      ]);
      expect(zero.body.errors[0].field).toBe('limit');
      expect(forged.body.errors).toEqual([{ field: 'cursor', message: 'is not a valid cursor' }]);
    });

    it('needs an API key', async () => {
      const response = await request(instance.url).get('/api/v1/audit-logs').expect(401);

      expect(response.body.code).toBe('unauthorized');
    });
  });

  describe('append-only storage', () => {
    async function insertEntry(account: string, occurredAt: string): Promise<string> {
      const inserted = await db.query(
        `INSERT INTO audit_logs (occurred_at, account_id, action, outcome, status_code,
           request_id, method, path)
         VALUES ($1, $2, 'payment.read', 'ok', 200, $3, 'GET', '/api/v1/payments')
         RETURNING id::text AS id`,
        [occurredAt, account, newRequestId()],
      );

      return inserted.rows[0].id as string;
    }

    it('refuses UPDATE, DELETE and TRUNCATE', async () => {
      const id = await insertEntry('append-only', new Date().toISOString());

      await expect(
        db.query(`UPDATE audit_logs SET outcome = 'ok' WHERE id = $1`, [id]),
      ).rejects.toMatchObject({
        code: '42501',
      });
      await expect(db.query('DELETE FROM audit_logs WHERE id = $1', [id])).rejects.toMatchObject({
        code: '42501',
      });
      await expect(db.query('TRUNCATE audit_logs')).rejects.toMatchObject({ code: '42501' });
    });

    it('lets a transaction that set the retention cutoff delete only older rows', async () => {
      const old = await insertEntry('retention-manual', '2020-01-01T00:00:00Z');
      const recent = await insertEntry('retention-manual', new Date().toISOString());
      const cutoff = '2021-01-01T00:00:00Z';

      await db.query('BEGIN');
      await db.query(`SELECT set_config('audit.retention_cutoff', $1, true)`, [cutoff]);
      const deleted = await db.query('DELETE FROM audit_logs WHERE id = $1', [old]);
      await db.query('COMMIT');
      await db.query('BEGIN');
      await db.query(`SELECT set_config('audit.retention_cutoff', $1, true)`, [cutoff]);
      const refused = db.query('DELETE FROM audit_logs WHERE id = $1', [recent]);
      await expect(refused).rejects.toMatchObject({ code: '42501' });
      await db.query('ROLLBACK');

      expect(deleted.rowCount).toBe(1);
      await expect(
        db.query('DELETE FROM audit_logs WHERE id = $1', [recent]),
      ).rejects.toMatchObject({
        code: '42501',
      });
    });

    it('has the retention job delete entries older than AUDIT_RETENTION at startup', async () => {
      const expired = await insertEntry(
        'retention-job',
        new Date(Date.now() - 3 * 86_400_000).toISOString(),
      );
      const kept = await insertEntry(
        'retention-job',
        new Date(Date.now() - 86_400_000 / 2).toISOString(),
      );
      const second = await startInstance({
        env: { ...serverEnv(database), AUDIT_RETENTION: '2d' },
      });

      try {
        const deadline = Date.now() + 15_000;
        let remaining: string[] = [expired, kept];
        while (remaining.includes(expired) && Date.now() < deadline) {
          await new Promise((done) => setTimeout(done, 100));
          const rows = await db.query(
            `SELECT id::text AS id FROM audit_logs WHERE account_id = 'retention-job'`,
          );
          remaining = rows.rows.map((row: { id: string }) => row.id);
        }

        expect(remaining).toEqual([kept]);
      } finally {
        await second.stop();
      }
    });
  });

  describe('query plan', () => {
    interface PlanNode {
      'Node Type': string;
      'Index Name'?: string;
      Plans?: PlanNode[];
    }

    const INDEX_SCANS = ['Index Scan', 'Index Only Scan', 'Bitmap Index Scan', 'Bitmap Heap Scan'];
    const nodesOf = (node: PlanNode): PlanNode[] => [
      node,
      ...(node.Plans ?? []).flatMap((child) => nodesOf(child)),
    ];

    async function planOf(filter: AuditPageFilter): Promise<PlanNode[]> {
      const query = auditPageQuery(filter);
      const result = await db.query(`EXPLAIN (FORMAT JSON) ${query.text}`, query.values);

      return nodesOf((result.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0].Plan);
    }

    const scansOf = (nodes: PlanNode[]) =>
      nodes.map((node) => node['Node Type']).filter((type) => type.includes('Scan'));

    beforeAll(async () => {
      // 2,000 ordinary accounts of 16 entries each, and one busy account with a fifth of all.
      await db.query(`
        INSERT INTO audit_logs (occurred_at, account_id, action, outcome, status_code, request_id,
          method, path)
        SELECT now() - g * interval '1 second',
          CASE WHEN g % 5 = 0 THEN 'explain-busy' ELSE 'explain-' || (g % 2000) END,
          'payment.create', CASE WHEN g % 4 = 0 THEN 'created' ELSE 'invalid' END, 201,
          'explain-' || g, 'POST', '/api/v1/payments'
        FROM generate_series(1, 40000) AS g`);
      await db.query('ANALYZE audit_logs');
    });

    const later = { occurredMicros: `${(Date.now() - 600_000) * 1000}`, id: '900000' };
    const shapes: [string, Partial<AuditPageFilter>][] = [
      ['a first page', {}],
      ['a later page', { cursor: later }],
      ['a time range and an outcome', { from: '2020-01-01T00:00:00Z', outcome: 'created' }],
      ['an action', { action: 'payment.create', to: new Date().toISOString() }],
    ];

    it.each(shapes)('finds an account’s entries through its index for %s', async (_name, extra) => {
      const nodes = await planOf({ accountId: 'explain-7', limit: 50, ...extra });

      expect(scansOf(nodes).every((type) => INDEX_SCANS.includes(type))).toBe(true);
      expect(nodes.map((node) => node['Index Name'])).toContain('audit_logs_account_time_idx');
    });

    it.each(shapes)('never scans the whole table for a busy account, %s', async (_name, extra) => {
      const nodes = await planOf({ accountId: 'explain-busy', limit: 50, ...extra });

      expect(scansOf(nodes).length).toBeGreaterThan(0);
      expect(scansOf(nodes).every((type) => INDEX_SCANS.includes(type))).toBe(true);
      expect(nodes.map((node) => node['Node Type'])).not.toContain('Sort');
    });
  });
});
