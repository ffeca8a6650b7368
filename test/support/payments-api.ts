import { randomUUID } from 'node:crypto';

import request from 'supertest';
import type { Response, Test } from 'supertest';

export const PAYMENTS = '/api/v1/payments';
export const DEV_KEY = 'test-api-key';

/**
 * Limits high enough that no contract or fuzz test is ever refused by the rate limiter, so
 * these suites keep testing what they test whatever limiter is in place.
 */
export const HIGH_RATE_LIMITS: Record<string, string> = {
  RATE_LIMIT_USER: '100000/60s',
  RATE_LIMIT_PAYMENTS: '100000/60s',
  RATE_LIMIT_BURST: '10000/s:10000',
  RATE_LIMIT_IP: '100000/60s',
  RATE_LIMIT_GLOBAL: '100000/60s',
};

export interface TestAccount {
  account: string;
  key: string;
}

/** `account:key,...` for API_KEYS. */
export function apiKeysEnv(accounts: TestAccount[]): string {
  return accounts.map(({ account, key }) => `${account}:${key}`).join(',');
}

export function bearer(key: string): Record<string, string> {
  return { Authorization: `Bearer ${key}` };
}

export function newIdempotencyKey(): string {
  return `test-${randomUUID()}`;
}

export function paymentBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { amount: 19.99, currency: 'USD', payment_method: 'credit_card', ...overrides };
}

export interface PostOptions {
  key?: string;
  idempotencyKey?: string | null;
  headers?: Record<string, string>;
}

/** POST /api/v1/payments with a fresh Idempotency-Key unless one is given (null: none). */
export function postPayment(
  url: string,
  body: unknown,
  options: PostOptions = {},
): Promise<Response> {
  const idempotencyKey =
    options.idempotencyKey === undefined ? newIdempotencyKey() : options.idempotencyKey;
  let call = request(url)
    .post(PAYMENTS)
    .set(bearer(options.key ?? DEV_KEY))
    .set(options.headers ?? {});
  if (idempotencyKey !== null) call = call.set('Idempotency-Key', idempotencyKey);

  return call.send(body as object);
}

export function getPath(url: string, path: string, key = DEV_KEY): Test {
  return request(url).get(path).set(bearer(key));
}
