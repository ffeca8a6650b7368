import request from 'supertest';

import { startInstance } from '../support/instance.js';
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
import { expectFieldErrors, expectProblem } from '../support/problem.js';
import { BOOT_HOOK_TIMEOUT_MS, BOOT_TIMEOUT_MS } from '../support/timeouts.js';

const SHOP = 'https://shop.example';
const ACCOUNT_B = { account: 'acct-b', key: 'acct-b-hardening-key-0123' };
const HELMET_HEADERS = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'SAMEORIGIN',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'x-dns-prefetch-control': 'off',
  'x-permitted-cross-domain-policies': 'none',
};

function embedded(env: Record<string, string> = {}): Promise<Instance> {
  return startInstance({
    bootTimeoutMs: BOOT_TIMEOUT_MS,
    env: { ...HIGH_RATE_LIMITS, ...env, DATABASE_URL: undefined, REDIS_URL: undefined },
  });
}

function postRaw(url: string, body: string, type = 'application/json') {
  return request(url)
    .post(PAYMENTS)
    .set(bearer(DEV_KEY))
    .set('Idempotency-Key', newIdempotencyKey())
    .set('Content-Type', type)
    .send(body);
}

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

describe('hardened HTTP (CORS off, default limits)', () => {
  let instance: Instance;

  beforeAll(async () => {
    instance = await embedded({ API_KEYS: apiKeysEnv([ACCOUNT_B]) });
  }, BOOT_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await instance.stop();
  });

  it.each([
    ['an API success', () => getPath(instance.url, PAYMENTS)],
    ['an API error', () => request(instance.url).get(PAYMENTS)],
    ['a health check', () => request(instance.url).get('/health/live')],
  ])('sets the helmet headers and no X-Powered-By on %s', async (_what, send) => {
    const res = await send();

    expect(res.headers).toEqual(expect.objectContaining(HELMET_HEADERS));
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('answers no browser origin while CORS_ORIGINS is unset', async () => {
    const simple = await getPath(instance.url, PAYMENTS).set('Origin', SHOP);
    const preflight = await request(instance.url)
      .options(PAYMENTS)
      .set('Origin', SHOP)
      .set('Access-Control-Request-Method', 'POST');

    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.status).toBe(404);
  });

  it.each([
    ['text/plain', 'text/plain'],
    ['JSON in Latin-1', 'application/json; charset=latin1'],
    ['JSON in UTF-16', 'application/json; charset=utf-16'],
  ])('takes JSON only: refuses a %s body with 415', async (_what, type) => {
    expectProblem(await postRaw(instance.url, '{}', type), 415, 'unsupported_media_type');
  });

  it('refuses a body on a read route unless it is JSON', async () => {
    const res = await getPath(instance.url, PAYMENTS).set('Content-Type', 'text/plain').send('x');

    expectProblem(res, 415, 'unsupported_media_type');
  });

  it('refuses a body over the default 16 KiB, announced or chunked', async () => {
    const body = JSON.stringify(paymentBody({ description: 'x'.repeat(16 * 1024) }));

    const announced = await postRaw(instance.url, body);

    expectProblem(announced, 413, 'payload_too_large');
    expect(announced.body.detail).toContain('16384');
  });

  it('refuses request headers over 16 KiB with 431', async () => {
    const res = await getPath(instance.url, PAYMENTS).set('X-Padding', 'p'.repeat(20 * 1024));

    expect(res.status).toBe(431);
  });

  it('accepts 8 levels of nesting in the parser and refuses 9, naming the path', async () => {
    const eight = await postRaw(instance.url, nested(8));
    const nine = await postRaw(instance.url, nested(9));

    expect(eight.body.errors.map((e: { message: string }) => e.message)).not.toContain(
      'must not nest deeper than 8',
    );
    expectFieldErrors(nine, ['a.a.a.a.a.a.a.a']);
    expect(nine.body.errors[0].message).toBe('must not nest deeper than 8');
  });

  it('refuses thousands of nested arrays quickly, without a server error', async () => {
    const depth = 7000;

    const res = await postRaw(instance.url, `${'['.repeat(depth)}${']'.repeat(depth)}`);

    expectFieldErrors(res, ['0.0.0.0.0.0.0.0']);
  });

  it.each([
    ['__proto__ at the top', '{"__proto__":{"amount":5}}', '__proto__'],
    ['constructor at the top', '{"constructor":{"prototype":{"amount":5}}}', 'constructor'],
    ['prototype in metadata', '{"metadata":{"prototype":"x"}}', 'metadata.prototype'],
    ['__proto__ in metadata', '{"metadata":{"__proto__":{"x":1}}}', 'metadata.__proto__'],
  ])('refuses %s as a reserved key', async (_what, body, field) => {
    const res = await postRaw(instance.url, body);

    expectFieldErrors(res, [field]);
    expect(res.body.errors[0].message).toBe('is a reserved key');
  });

  it('is not polluted by such a body: a later body without amount still lacks one', async () => {
    await postRaw(instance.url, '{"__proto__":{"amount":5,"currency":"USD"}}');

    const res = await postPayment(instance.url, { payment_method: 'wallet' });

    expectFieldErrors(res, ['amount', 'currency']);
  });

  it("never lets a cursor from another account's list reveal that account's payments", async () => {
    for (let i = 0; i < 3; i += 1) await postPayment(instance.url, paymentBody());
    const mine = await postPayment(instance.url, paymentBody(), { key: ACCOUNT_B.key });
    const devPage = await getPath(instance.url, `${PAYMENTS}?limit=1`);
    const cursor = encodeURIComponent(devPage.body.next_cursor);

    const res = await getPath(instance.url, `${PAYMENTS}?cursor=${cursor}`, ACCOUNT_B.key);

    expect(res.status).toBe(200);
    const ids = res.body.data.map((p: { transaction_id: string }) => p.transaction_id);
    expect(ids.every((id: string) => id === mine.body.transaction_id)).toBe(true);
  });
});

describe('hardened HTTP with CORS_ORIGINS set', () => {
  let instance: Instance;

  beforeAll(async () => {
    instance = await embedded({ CORS_ORIGINS: `${SHOP},http://localhost:3000` });
  }, BOOT_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    await instance.stop();
  });

  it('allows a listed origin and exposes the headers a client needs', async () => {
    const res = await getPath(instance.url, PAYMENTS).set('Origin', SHOP);

    expect(res.headers['access-control-allow-origin']).toBe(SHOP);
    expect(res.headers['access-control-expose-headers']).toEqual(
      expect.stringContaining('X-Request-Id'),
    );
    expect(res.headers['access-control-expose-headers']).toEqual(
      expect.stringContaining('Idempotent-Replayed'),
    );
  });

  it('answers a preflight for a listed origin', async () => {
    const res = await request(instance.url)
      .options(PAYMENTS)
      .set('Origin', SHOP)
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization,idempotency-key,content-type');

    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(SHOP);
    expect(res.headers['access-control-allow-headers']).toContain('idempotency-key');
  });

  it('gives an unlisted origin nothing', async () => {
    const res = await getPath(instance.url, PAYMENTS).set('Origin', 'https://evil.example');

    expect(res.headers['access-control-allow-origin']).toBeUndefined();
  });
});
