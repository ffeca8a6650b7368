import request from 'supertest';
import type { Response } from 'supertest';

import type { Instance } from '../support/instance.js';
import {
  DEV_KEY,
  HIGH_RATE_LIMITS,
  PAYMENTS,
  apiKeysEnv,
  bearer,
  getPath,
  newIdempotencyKey,
  paymentBody,
  postPayment,
} from '../support/payments-api.js';
import {
  expectCommonHeaders,
  expectFieldErrors,
  expectProblem,
  expectUnauthorized,
} from '../support/problem.js';
import { BOOT_HOOK_TIMEOUT_MS } from '../support/timeouts.js';

/** What a variant gives the suite: a running instance and, where it can, the raw stored row. */
export interface ContractTarget {
  instance: Instance;
  /** `payments.amount_minor` as PostgreSQL returns it (text); null where it cannot be read. */
  storedAmountMinor: ((transactionId: string) => Promise<string>) | null;
  stop(): Promise<void>;
}

export interface ContractVariant {
  start(env: Record<string, string>): Promise<ContractTarget>;
}

const ACCOUNT_B = { account: 'acct-b', key: 'acct-b-first-key-0123456789' };
const ACCOUNT_B_SECOND = { account: 'acct-b', key: 'acct-b-second-key-0123456789' };
const ACCOUNT_LIST = { account: 'acct-list', key: 'acct-list-key-0123456789ab' };
const BODY_LIMIT_BYTES = 8192;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const PAYMENT_FIELDS = [
  'amount',
  'created_at',
  'currency',
  'description',
  'idempotency_key',
  'metadata',
  'payment_method',
  'status',
  'transaction_id',
];

function metadataWithKeys(count: number): Record<string, string> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [`key_${i}`, `value ${i}`]));
}

/** [what, body changes, fields the errors must name] */
const REJECTED_BODIES: [string, Record<string, unknown>, string[]][] = [
  ['amount zero', { amount: 0 }, ['amount']],
  ['amount negative', { amount: -5 }, ['amount']],
  ['amount as a string', { amount: '10.00' }, ['amount']],
  ['amount null', { amount: null }, ['amount']],
  ['amount missing', { amount: undefined }, ['amount']],
  ['amount over 1,000,000 major units', { amount: 1_000_000.01 }, ['amount']],
  ['USD with three decimals', { amount: 10.001 }, ['amount']],
  ['JPY with decimals', { amount: 100.5, currency: 'JPY' }, ['amount']],
  ['KWD with four decimals', { amount: 1.2345, currency: 'KWD' }, ['amount']],
  ['currency in lower case', { currency: 'usd' }, ['currency']],
  ['currency not supported', { currency: 'XYZ' }, ['currency']],
  ['currency not a string', { currency: 840 }, ['currency']],
  ['currency missing', { currency: undefined }, ['currency']],
  ['description over 500 characters', { description: 'd'.repeat(501) }, ['description']],
  ['description not a string', { description: 42 }, ['description']],
  ['payment_method unknown', { payment_method: 'cash' }, ['payment_method']],
  ['payment_method in upper case', { payment_method: 'CREDIT_CARD' }, ['payment_method']],
  ['payment_method missing', { payment_method: undefined }, ['payment_method']],
  ['metadata a string', { metadata: 'order-1' }, ['metadata']],
  ['metadata an array', { metadata: ['a'] }, ['metadata']],
  ['metadata nested object', { metadata: { order: { id: 1 } } }, ['metadata.order']],
  ['metadata array value', { metadata: { tags: ['a', 'b'] } }, ['metadata.tags']],
  ['metadata with 21 keys', { metadata: metadataWithKeys(21) }, ['metadata']],
  [
    'metadata key of 41 characters',
    { metadata: { ['k'.repeat(41)]: 'v' } },
    ['metadata.' + 'k'.repeat(41)],
  ],
  ['metadata empty key', { metadata: { '': 'v' } }, ['metadata.']],
  ['metadata value of 501 characters', { metadata: { note: 'v'.repeat(501) } }, ['metadata.note']],
  ['an unknown field', { customer_id: 'c-1' }, ['customer_id']],
  [
    'several problems at once',
    { amount: -1, currency: 'usd', metadata: { deep: { x: 1 } }, extra: true },
    ['amount', 'currency', 'extra', 'metadata.deep'],
  ],
];

/** [what, body changes, amount_minor PostgreSQL must hold] */
const ACCEPTED_AMOUNTS: [string, Record<string, unknown>, string][] = [
  ['the smallest USD amount', { amount: 0.01 }, '1'],
  ['a float-prone USD amount', { amount: 19.99 }, '1999'],
  ['another float-prone amount', { amount: 1.15, currency: 'EUR' }, '115'],
  ['the largest amount', { amount: 1_000_000 }, '100000000'],
  ['JPY in whole units', { amount: 500, currency: 'JPY' }, '500'],
  ['KRW in whole units', { amount: 1_000_000, currency: 'KRW' }, '1000000'],
  ['KWD with three decimals', { amount: 1.234, currency: 'KWD' }, '1234'],
  ['BHD at the largest amount', { amount: 999_999.999, currency: 'BHD' }, '999999999'],
];

function expectPaymentShape(res: Response, sent: Record<string, unknown>): void {
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expectCommonHeaders(res);
  expect(Object.keys(res.body).sort()).toEqual(PAYMENT_FIELDS);
  expect(res.body.transaction_id).toMatch(UUID);
  expect(['succeeded', 'failed', 'pending']).toContain(res.body.status);
  expect(res.body.created_at).toMatch(RFC3339_UTC);
  expect(res.body).toEqual(
    expect.objectContaining({
      amount: sent.amount,
      currency: sent.currency,
      payment_method: sent.payment_method,
      description: sent.description ?? null,
      metadata: sent.metadata ?? {},
    }),
  );
}

function sendRaw(url: string, body: string, contentType: string, key = newIdempotencyKey()) {
  return request(url)
    .post(PAYMENTS)
    .set(bearer(DEV_KEY))
    .set('Idempotency-Key', key)
    .set('Content-Type', contentType)
    .send(body);
}

/**
 * The HTTP contract of the payments core (shared/API.md), run against one running instance.
 * Each variant file calls this once with its own way of starting the service.
 */
export function defineContractSuite(variant: ContractVariant): void {
  let target: ContractTarget;
  let url: string;

  beforeAll(async () => {
    target = await variant.start({
      ...HIGH_RATE_LIMITS,
      API_KEYS: apiKeysEnv([ACCOUNT_B, ACCOUNT_B_SECOND, ACCOUNT_LIST]),
      BODY_LIMIT: `${BODY_LIMIT_BYTES}b`,
    });
    url = target.instance.url;
  }, BOOT_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await target?.stop();
  });

  describe('POST /api/v1/payments body rules', () => {
    it.each(REJECTED_BODIES)('refuses %s', async (_what, changes, fields) => {
      const res = await postPayment(url, paymentBody(changes));

      expectFieldErrors(res, fields);
    });

    it.each(ACCEPTED_AMOUNTS)(
      'accepts %s as integer minor units',
      async (_what, changes, minor) => {
        const sent = paymentBody(changes);

        const created = await postPayment(url, sent);
        const read = await getPath(url, created.headers.location);

        expect(created.status).toBe(201);
        expectPaymentShape(created, sent);
        expect(read.status).toBe(200);
        expect(read.body).toEqual(created.body);
        if (target.storedAmountMinor) {
          expect(await target.storedAmountMinor(created.body.transaction_id)).toBe(minor);
        }
      },
    );

    it('accepts every supported currency and payment method', async () => {
      const currencies = ['USD', 'EUR', 'GBP', 'CHF', 'CAD', 'AUD', 'JPY', 'KRW', 'KWD', 'BHD'];
      const methods = ['credit_card', 'debit_card', 'bank_transfer', 'wallet'];

      for (const [index, currency] of currencies.entries()) {
        const sent = paymentBody({ amount: 7, currency, payment_method: methods[index % 4] });
        const res = await postPayment(url, sent);

        expect(`${currency} ${res.status}`).toBe(`${currency} 201`);
        expectPaymentShape(res, sent);
      }
    });

    it('accepts description and metadata at their limits', async () => {
      const metadata: Record<string, unknown> = metadataWithKeys(17);
      metadata['k'.repeat(40)] = 'v'.repeat(500);
      metadata.count = 3;
      metadata.flag = true;
      const sent = paymentBody({ description: 'd'.repeat(500), metadata });

      const res = await postPayment(url, sent);

      expect(res.status).toBe(201);
      expectPaymentShape(res, sent);
      expect(Object.keys(res.body.metadata)).toHaveLength(20);
    });

    it('accepts null description and metadata', async () => {
      const res = await postPayment(url, paymentBody({ description: null, metadata: null }));

      expect(res.status).toBe(201);
      expect(res.body).toEqual(expect.objectContaining({ description: null, metadata: {} }));
    });

    it('stores nothing for a refused body: the same key then works with a valid one', async () => {
      const idempotencyKey = newIdempotencyKey();

      const refused = await postPayment(url, paymentBody({ amount: -1 }), { idempotencyKey });
      const accepted = await postPayment(url, paymentBody(), { idempotencyKey });

      expectFieldErrors(refused, ['amount']);
      expect(accepted.status).toBe(201);
      expect(accepted.headers['idempotent-replayed']).toBe('false');
    });
  });

  describe('errors', () => {
    it.each([
      ['a truncated object', '{"amount": 1,'],
      ['a trailing comma', '{"amount": 1,}'],
      ['single quotes', "{'amount': 1}"],
      ['bare words', 'amount=1'],
    ])('answers %s with malformed_json', async (_what, text) => {
      const res = await sendRaw(url, text, 'application/json');

      expectProblem(res, 400, 'malformed_json');
    });

    it.each([
      ['a JSON string', '"payment"'],
      ['JSON null', 'null'],
      ['a JSON array', '[1, 2]'],
    ])('answers %s (valid JSON, not an object) with validation_failed', async (_w, text) => {
      const res = await sendRaw(url, text, 'application/json');

      expectFieldErrors(res, ['(body)']);
    });

    it('answers a POST without Idempotency-Key with idempotency_key_missing', async () => {
      const res = await postPayment(url, paymentBody(), { idempotencyKey: null });

      expectProblem(res, 400, 'idempotency_key_missing');
    });

    it.each([
      ['15 characters', 'a'.repeat(15)],
      ['256 characters', 'a'.repeat(256)],
      ['a space', 'key with a space-123'],
      ['a punctuation mark', 'key.with.dots.12345'],
      ['non-ASCII letters', 'schlüssel-0123456789'],
      ['a quoted key that is too short', '"short-key"'],
      ['empty quotes', '""'],
      ['an unbalanced quote', '"abcdefghijklmnopq'],
    ])('answers a key with %s with idempotency_key_invalid', async (_what, idempotencyKey) => {
      const res = await postPayment(url, paymentBody(), { idempotencyKey });

      expectProblem(res, 400, 'idempotency_key_invalid');
    });

    it('accepts 16 and 255 characters', async () => {
      for (const length of [16, 255]) {
        const idempotencyKey = newIdempotencyKey().padEnd(length, 'x').slice(0, length);
        const res = await postPayment(url, paymentBody(), { idempotencyKey });

        expect(`${length}: ${res.status}`).toBe(`${length}: 201`);
        expect(res.body.idempotency_key).toBe(idempotencyKey);
      }
    });

    it('unquotes the RFC 8941 string form: "k" and k are the same key', async () => {
      const key = newIdempotencyKey();
      const body = paymentBody({ amount: 3.5 });

      const quoted = await postPayment(url, body, { idempotencyKey: `"${key}"` });
      const plain = await postPayment(url, body, { idempotencyKey: key });

      expect(quoted.status).toBe(201);
      expect(quoted.body.idempotency_key).toBe(key);
      expect(plain.headers['idempotent-replayed']).toBe('true');
      expect(plain.text).toBe(quoted.text);
    });

    it('answers metadata.simulate=decline with 402, stored and replayed', async () => {
      const idempotencyKey = newIdempotencyKey();
      const body = paymentBody({ metadata: { simulate: 'decline' } });

      const declined = await postPayment(url, body, { idempotencyKey });
      const replay = await postPayment(url, body, { idempotencyKey });

      const problem = expectProblem(declined, 402, 'payment_declined');
      expect(problem.transaction_id).toMatch(UUID);
      expect(declined.headers['idempotent-replayed']).toBe('false');
      expect(replay.status).toBe(402);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.text).toBe(declined.text);

      const read = await getPath(url, `${PAYMENTS}/${String(problem.transaction_id)}`);
      expect(read.status).toBe(200);
      expect(read.body.status).toBe('failed');
    });

    it.each([
      ['an unknown API route', '/api/v1/no-such-route'],
      ['an unknown route outside the API', '/no-such-page'],
      ['a malformed id', `${PAYMENTS}/not-a-uuid`],
      ['a numeric id', `${PAYMENTS}/12345`],
      ['an id with broken percent-encoding', `${PAYMENTS}/%E0%A4%A`],
      ['an unknown id', `${PAYMENTS}/00000000-0000-4000-8000-000000000000`],
    ])('answers %s with 404 not_found', async (_what, path) => {
      const res = await getPath(url, path);

      expectProblem(res, 404, 'not_found');
    });

    it('answers a method the route does not have with 404 not_found', async () => {
      const res = await request(url).delete(PAYMENTS).set(bearer(DEV_KEY));

      expectProblem(res, 404, 'not_found');
    });

    it('answers a body over BODY_LIMIT with 413 payload_too_large', async () => {
      const body = JSON.stringify(paymentBody({ description: 'x'.repeat(BODY_LIMIT_BYTES) }));

      const res = await sendRaw(url, body, 'application/json');

      const problem = expectProblem(res, 413, 'payload_too_large');
      expect(problem.detail).toContain(String(BODY_LIMIT_BYTES));
    });

    it('accepts a valid body just under BODY_LIMIT', async () => {
      const metadata = Object.fromEntries(
        Array.from({ length: 15 }, (_, i) => [`k${i}`, 'v'.repeat(500)]),
      );
      const body = JSON.stringify(paymentBody({ metadata }));
      expect(Buffer.byteLength(body)).toBeGreaterThan(BODY_LIMIT_BYTES - 700);
      expect(Buffer.byteLength(body)).toBeLessThan(BODY_LIMIT_BYTES);

      const res = await sendRaw(url, body, 'application/json');

      expect(res.status).toBe(201);
    });

    it.each([
      ['text/plain', 'text/plain'],
      ['a form', 'application/x-www-form-urlencoded'],
      ['XML', 'application/xml'],
    ])('answers a %s body with 415 unsupported_media_type', async (_what, type) => {
      const res = await sendRaw(url, JSON.stringify(paymentBody()), type);

      expectProblem(res, 415, 'unsupported_media_type');
    });

    it('accepts application/json with a charset parameter', async () => {
      const res = await sendRaw(
        url,
        JSON.stringify(paymentBody()),
        'application/json; charset=utf-8',
      );

      expect(res.status).toBe(201);
    });
  });

  describe('GET /api/v1/payments/{transaction_id}', () => {
    it('answers 201 with a Location that reads back the same payment', async () => {
      const sent = paymentBody({ description: 'Order 7', metadata: { order_id: 'A-7', n: 2 } });

      const created = await postPayment(url, sent);
      const read = await getPath(url, created.headers.location);

      expect(created.status).toBe(201);
      expect(created.headers.location).toBe(`${PAYMENTS}/${created.body.transaction_id}`);
      expect(created.headers['idempotent-replayed']).toBe('false');
      expectPaymentShape(created, sent);
      expect(read.status).toBe(200);
      expectPaymentShape(read, sent);
      expect(read.body).toEqual(created.body);
    });

    it("answers another account's payment exactly like an unknown one", async () => {
      const created = await postPayment(url, paymentBody());

      const foreign = await getPath(url, created.headers.location, ACCOUNT_B.key);
      const unknown = await getPath(url, `${PAYMENTS}/00000000-0000-4000-8000-000000000000`);

      expectProblem(foreign, 404, 'not_found');
      expect(foreign.body.detail).toBe(unknown.body.detail);
    });
  });

  describe('GET /api/v1/payments', () => {
    const created: string[] = [];

    beforeAll(async () => {
      for (let i = 0; i < 5; i += 1) {
        const metadata = i === 2 ? { simulate: 'decline' } : { n: i };
        const res = await postPayment(url, paymentBody({ amount: i + 1, metadata }), {
          key: ACCOUNT_LIST.key,
        });
        created.push(String(res.body.transaction_id));
      }
    }, BOOT_HOOK_TIMEOUT_MS);

    function list(query: string, key = ACCOUNT_LIST.key) {
      return getPath(url, `${PAYMENTS}${query}`, key);
    }

    it("lists the caller's payments newest first with the default limit", async () => {
      const res = await list('');

      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['data', 'next_cursor']);
      expect(res.body.next_cursor).toBeNull();
      expect(res.body.data.map((p: { transaction_id: string }) => p.transaction_id)).toEqual(
        [...created].reverse(),
      );
    });

    it('pages with limit and cursor without gaps or repeats', async () => {
      const seen: string[] = [];
      const pageSizes: number[] = [];
      let cursor: string | null = null;

      for (let page = 0; page < 10; page += 1) {
        const query: string = cursor ? `?limit=2&cursor=${encodeURIComponent(cursor)}` : '?limit=2';
        const res = await list(query);
        expect(res.status).toBe(200);
        pageSizes.push(res.body.data.length);
        seen.push(...res.body.data.map((p: { transaction_id: string }) => p.transaction_id));
        cursor = res.body.next_cursor;
        if (cursor === null) break;
      }

      expect(pageSizes).toEqual([2, 2, 1]);
      expect(seen).toEqual([...created].reverse());
    });

    it('filters by status', async () => {
      const failed = await list('?status=failed');
      const succeeded = await list('?status=succeeded');
      const pending = await list('?status=pending');

      expect(failed.body.data.map((p: { transaction_id: string }) => p.transaction_id)).toEqual([
        created[2],
      ]);
      expect(succeeded.body.data).toHaveLength(4);
      expect(pending.body.data).toEqual([]);
    });

    it("shows only the caller's payments, whichever of its keys it uses", async () => {
      const mine = await postPayment(url, paymentBody(), { key: ACCOUNT_B.key });

      const viaSecondKey = await getPath(url, mine.headers.location, ACCOUNT_B_SECOND.key);
      const listB = await list('', ACCOUNT_B_SECOND.key);
      const listDev = await list('', DEV_KEY);

      expect(viaSecondKey.status).toBe(200);
      const idsB = listB.body.data.map((p: { transaction_id: string }) => p.transaction_id);
      const idsDev = listDev.body.data.map((p: { transaction_id: string }) => p.transaction_id);
      expect(idsB).toEqual([mine.body.transaction_id]);
      expect(idsDev).not.toContain(mine.body.transaction_id);
      expect(idsDev.some((id: string) => created.includes(id))).toBe(false);
    });

    it.each([
      ['limit=0', ['limit']],
      ['limit=101', ['limit']],
      ['limit=abc', ['limit']],
      ['limit=1.5', ['limit']],
      ['status=done', ['status']],
      ['status=SUCCEEDED', ['status']],
      ['cursor=not-a-cursor', ['cursor']],
      ['page=2', ['page']],
      ['limit=0&status=done&sort=asc', ['limit', 'status', 'sort']],
    ])('refuses ?%s', async (query, fields) => {
      const res = await list(`?${query}`);

      expectFieldErrors(res, fields);
    });

    it('accepts limit=1 and limit=100', async () => {
      const one = await list('?limit=1');
      const hundred = await list('?limit=100');

      expect(one.body.data).toHaveLength(1);
      expect(one.body.next_cursor).toEqual(expect.any(String));
      expect(hundred.body.data).toHaveLength(5);
    });
  });

  describe('request ids and headers', () => {
    it.each([
      ['a short id', 'req-1'],
      ['every allowed character', 'Az09._:-'],
      ['128 characters', 'r'.repeat(128)],
    ])("echoes the client's X-Request-Id: %s", async (_what, id) => {
      const ok = await getPath(url, PAYMENTS).set('X-Request-Id', id);
      const problem = await getPath(url, `${PAYMENTS}/nope`).set('X-Request-Id', id);

      expect(ok.headers['x-request-id']).toBe(id);
      expect(problem.headers['x-request-id']).toBe(id);
    });

    it.each([
      ['129 characters', 'r'.repeat(129)],
      ['a space', 'req 1'],
      ['a slash', 'req/1'],
      ['non-ASCII', 'réq-1'],
    ])('replaces an X-Request-Id with %s by a generated one', async (_what, id) => {
      const res = await request(url)
        .get(PAYMENTS)
        .set(bearer(DEV_KEY))
        .set('X-Request-Id', Buffer.from(id, 'utf8').toString('latin1'));

      expect(res.headers['x-request-id']).toMatch(UUID);
    });

    it('generates a different id for each request', async () => {
      const first = await getPath(url, PAYMENTS);
      const second = await getPath(url, PAYMENTS);

      expect(first.headers['x-request-id']).toMatch(UUID);
      expect(second.headers['x-request-id']).not.toBe(first.headers['x-request-id']);
    });

    it('sets an id on errors raised before routing, and never X-Powered-By', async () => {
      const responses = [
        await sendRaw(url, '{', 'application/json'),
        await sendRaw(url, 'x', 'text/plain'),
        await sendRaw(url, JSON.stringify({ d: 'x'.repeat(BODY_LIMIT_BYTES) }), 'application/json'),
        await request(url).get(PAYMENTS),
        await request(url).get('/health/live'),
      ];

      for (const res of responses) expectCommonHeaders(res);
    });
  });

  describe('authentication', () => {
    it.each([
      ['no Authorization header', undefined],
      ['another scheme', 'Basic dGVzdDp0ZXN0'],
      ['Bearer without a key', 'Bearer'],
      ['Bearer with an empty key', 'Bearer '],
      ['a key with a space', 'Bearer test api key'],
      ['an unknown key', 'Bearer unknown-key-0123456789'],
      ['an unknown key in the issued format', `Bearer pk_abcdefghijkl_${'A'.repeat(43)}`],
      ['the development key with a suffix', 'Bearer test-api-key2'],
    ])('answers %s with 401 unauthorized', async (_what, authorization) => {
      const call = request(url).get(PAYMENTS);
      const res = await (authorization === undefined
        ? call
        : call.set('Authorization', authorization));

      expectUnauthorized(res);
    });

    it('refuses every payments route without a key, before any other check', async () => {
      const post = await request(url).post(PAYMENTS).send(paymentBody());
      const byId = await request(url).get(`${PAYMENTS}/00000000-0000-4000-8000-000000000000`);
      const badBody = await request(url).post(PAYMENTS).send({ amount: -1 });

      expectUnauthorized(post);
      expectUnauthorized(byId);
      expectUnauthorized(badBody);
    });

    it('accepts the development key outside production', async () => {
      const res = await getPath(url, PAYMENTS, DEV_KEY);

      expect(res.status).toBe(200);
    });

    it('accepts the scheme name in any case', async () => {
      const res = await request(url).get(PAYMENTS).set('Authorization', `bearer ${DEV_KEY}`);

      expect(res.status).toBe(200);
    });

    it('lets two accounts use the same Idempotency-Key independently', async () => {
      const idempotencyKey = newIdempotencyKey();

      const mine = await postPayment(url, paymentBody(), { idempotencyKey });
      const theirs = await postPayment(url, paymentBody(), { idempotencyKey, key: ACCOUNT_B.key });

      expect(mine.status).toBe(201);
      expect(theirs.status).toBe(201);
      expect(theirs.headers['idempotent-replayed']).toBe('false');
      expect(theirs.body.transaction_id).not.toBe(mine.body.transaction_id);
    });
  });
}
