import request from 'supertest';

import { serverEnv } from '../support/env.js';
import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { SERVER_URLS } from '../support/servers.js';
import { createTestDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';
import { parseRateLimitField } from './rate-limit-headers.js';

const KEYS = {
  headers: 'acct-headers:key-headers-0001',
  refused: 'acct-refused:key-refused-0001',
  peek: 'acct-peek:key-peek-000000001',
};
const bearer = (entry: string) => ({ Authorization: `Bearer ${entry.split(':')[1]}` });
const PAYMENT = { amount: 10, currency: 'USD', payment_method: 'wallet' };

const modes = SERVER_URLS.redis ? ['in-process store', 'Redis'] : ['in-process store'];

describe.each(modes)('rate limits over HTTP (%s)', (mode) => {
  let database: TestDatabase;
  let instance: Instance;

  beforeAll(async () => {
    database = await createTestDatabase();
    instance = await startInstance({
      env: {
        ...serverEnv(database, mode === 'Redis'),
        API_KEYS: Object.values(KEYS).join(','),
        RATE_LIMIT_USER: '5/60s',
        CLIENT_RETRY_MAX: '7',
        CLIENT_RETRY_BASE_DELAY: '250ms',
        CLIENT_RETRY_MAX_DELAY: '8s',
        RATE_LIMIT_PAYMENTS: '2/60s',
        RATE_LIMIT_IP: '500/60s',
        RATE_LIMIT_GLOBAL: '900/60s',
        RATE_LIMIT_BURST: '10/s:20',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await instance?.stop();
    await database?.drop();
  });

  const api = () => request(instance.url);
  const standings = async (key: string) => {
    const response = await api().get('/api/v1/rate-limits').set(bearer(key));
    expect(response.status).toBe(200);
    const limits = response.body.limits as { scope: string; remaining: number }[];
    return Object.fromEntries(limits.map((limit) => [limit.scope, limit.remaining]));
  };

  it('reports every applicable scope and the most restrictive one', async () => {
    const response = await api().get('/api/v1/payments').set(bearer(KEYS.headers));
    const policy = parseRateLimitField(response.headers['ratelimit-policy']);
    const state = parseRateLimitField(response.headers.ratelimit);

    expect(response.status).toBe(200);
    expect(response.headers['ratelimit-policy']).toBe(
      '"global";q=900;w=60, "user";q=5;w=60, "ip";q=500;w=60, "burst";q=20;w=1',
    );
    expect(state.user).toEqual({ r: 4, t: 60 });
    expect(state.burst.r).toBe(19);
    expect(response.headers['x-ratelimit-limit']).toBe('5');
    expect(response.headers['x-ratelimit-remaining']).toBe('4');
    const reset = Number(response.headers['x-ratelimit-reset']);
    expect(Math.abs(reset - (Date.now() / 1000 + 60))).toBeLessThan(5);
    expect(Object.keys(policy)).toEqual(Object.keys(state));
  });

  it('refuses with 429, Retry-After and the scope, and the refusal consumes nothing', async () => {
    const post = (key: string) =>
      api()
        .post('/api/v1/payments')
        .set(bearer(KEYS.refused))
        .set('Idempotency-Key', key)
        .send(PAYMENT);
    expect((await post('refused-key-00000001')).status).toBe(201);
    expect((await post('refused-key-00000002')).status).toBe(201);
    const before = await standings(KEYS.refused);

    const refused = await post('refused-key-00000003');
    const again = await post('refused-key-00000004');
    const after = await standings(KEYS.refused);

    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ code: 'rate_limited', status: 429, scope: 'endpoint' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(59);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(again.status).toBe(429);
    expect(after.user).toBe(before.user);
    expect(after.endpoint).toBe(0);
    expect(after.global).toBe(before.global);
    expect(after.ip).toBe(before.ip);
  });

  it('counts a request with a bad key against ip and global, then answers 401', async () => {
    const first = await api().get('/api/v1/retry-config');
    const rejected = await api().get('/api/v1/payments').set(bearer('x:not-a-real-key-0001'));
    const second = await api().get('/api/v1/retry-config');
    const remaining = (response: request.Response) =>
      parseRateLimitField(response.headers.ratelimit);

    expect(rejected.status).toBe(401);
    expect(rejected.body.code).toBe('unauthorized');
    expect(Object.keys(remaining(rejected))).toEqual(['global', 'ip']);
    expect(remaining(rejected).ip.r).toBe(remaining(first).ip.r - 1);
    expect(remaining(second).ip.r).toBe(remaining(first).ip.r - 2);
    expect(remaining(second).global.r).toBe(remaining(first).global.r - 2);
  });

  it('shows the caller’s standing in every scope without consuming any', async () => {
    await api().get('/api/v1/payments').set(bearer(KEYS.peek));

    const first = await api().get('/api/v1/rate-limits').set(bearer(KEYS.peek));
    const second = await api().get('/api/v1/rate-limits').set(bearer(KEYS.peek));

    expect(first.status).toBe(200);
    expect(first.headers['x-ratelimit-remaining']).toBeDefined();
    const limits = first.body.limits as Record<string, unknown>[];
    expect(limits.map((limit) => limit.scope)).toEqual([
      'endpoint',
      'burst',
      'user',
      'ip',
      'global',
    ]);
    expect(limits.find((limit) => limit.scope === 'user')).toMatchObject({
      algorithm: 'sliding_window',
      limit: 5,
      window_seconds: 60,
      remaining: 4,
    });
    expect(limits.find((limit) => limit.scope === 'burst')).toMatchObject({
      algorithm: 'token_bucket',
      limit: 20,
      capacity: 20,
      refill_per_second: 10,
    });
    for (const limit of limits) expect(Date.parse(String(limit.reset_at))).not.toBeNaN();
    const windows = (body: { limits: { scope: string; remaining: number }[] }) =>
      body.limits
        .filter((limit) => limit.scope !== 'burst')
        .map((limit) => [limit.scope, limit.remaining]);
    expect(windows(second.body)).toEqual(windows(first.body));
  });

  it('serves the retry policy to anyone, shaped as the contract says', async () => {
    const response = await api().get('/api/v1/retry-config');

    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(
      [
        'backoff',
        'base_delay_ms',
        'idempotency_key_header',
        'jitter',
        'max_delay_ms',
        'max_retries',
        'rate_limits',
        'respect_retry_after',
        'retryable_status_codes',
        'reuse_idempotency_key_on_retry',
      ].sort(),
    );
    expect(response.body).toMatchObject({
      max_retries: 7,
      base_delay_ms: 250,
      max_delay_ms: 8000,
      backoff: 'exponential',
      jitter: 'full',
      respect_retry_after: true,
      idempotency_key_header: 'Idempotency-Key',
      reuse_idempotency_key_on_retry: true,
    });
    expect(response.body.retryable_status_codes).toEqual(expect.arrayContaining([429, 503]));
    expect(response.body.rate_limits).toEqual([
      { scope: 'global', algorithm: 'sliding_window', limit: 900, window_seconds: 60 },
      { scope: 'user', algorithm: 'sliding_window', limit: 5, window_seconds: 60 },
      { scope: 'ip', algorithm: 'sliding_window', limit: 500, window_seconds: 60 },
      { scope: 'endpoint', algorithm: 'sliding_window', limit: 2, window_seconds: 60 },
      { scope: 'burst', algorithm: 'token_bucket', limit: 20, window_seconds: 1 },
    ]);
  });

  it('documents both routes in the OpenAPI document', async () => {
    const response = await api().get('/docs-json');

    expect(response.body.paths['/api/v1/rate-limits'].get).toBeDefined();
    expect(response.body.paths['/api/v1/retry-config'].get.security).toEqual([]);
  });
});
