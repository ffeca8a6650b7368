import { randomUUID } from 'node:crypto';

export const DEV_AUTH = { Authorization: 'Bearer test-api-key' };

/** Limits high enough that no test is refused by rate limiting unless it means to be. */
export const GENEROUS_LIMITS: Record<string, string> = {
  RATE_LIMIT_GLOBAL: '1000000/60s',
  RATE_LIMIT_USER: '1000000/60s',
  RATE_LIMIT_IP: '1000000/60s',
  RATE_LIMIT_PAYMENTS: '1000000/60s',
  RATE_LIMIT_BURST: '100000/s:100000',
};

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
