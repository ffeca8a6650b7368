import { randomUUID } from 'node:crypto';

import { DEV_KEY, HIGH_RATE_LIMITS, bearer } from './payments-api.js';

export const DEV_AUTH = bearer(DEV_KEY);

/** Limits high enough that no test is refused by rate limiting unless it means to be. */
export const GENEROUS_LIMITS = HIGH_RATE_LIMITS;

export function newKey(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

/** A raw POST /api/v1/payments with fetch, so many can be in flight at once. */
export async function postPayment(
  baseUrl: string,
  key: string,
  body: unknown,
  headers: Record<string, string> = DEV_AUTH,
): Promise<Answer> {
  const response = await fetch(`${baseUrl}/api/v1/payments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': key, ...headers },
    body: JSON.stringify(body),
  });

  return { status: response.status, headers: response.headers, text: await response.text() };
}
