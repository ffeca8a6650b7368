import request from 'supertest';

import { DEV_AUTH } from '../support/api.js';
import { HIGH_RATE_LIMITS } from '../support/payments-api.js';

/** Limits far above what these suites send, so rate limiting never decides an outcome here. */
export const GENEROUS_LIMITS = HIGH_RATE_LIMITS;

export { BOOT_TIMEOUT_MS } from '../support/timeouts.js';

export const AUTH = DEV_AUTH;

export function paymentBody(simulate?: 'decline' | 'error' | 'timeout') {
  return {
    amount: 12.5,
    currency: 'EUR',
    payment_method: 'wallet',
    ...(simulate ? { metadata: { simulate } } : {}),
  };
}

export function postPayment(url: string, key: string, body: object) {
  return request(url).post('/api/v1/payments').set(AUTH).set('Idempotency-Key', key).send(body);
}

/**
 * Polls `probe` until it returns a value other than undefined, or fails after `timeoutMs`.
 * Time-bounded and quiet between tries; the last seen state goes into the failure message.
 */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((done) => setTimeout(done, intervalMs));
  }

  throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}`);
}
