import { randomUUID } from 'node:crypto';

/** The service's rule: 16-255 characters of letters, digits, `_` and `-`. */
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_-]{16,255}$/;

/** A fresh key for one logical payment: a random UUID (36 characters, within the rule). */
export function newIdempotencyKey(): string {
  return randomUUID();
}

export function assertValidIdempotencyKey(key: string): void {
  if (!IDEMPOTENCY_KEY_PATTERN.test(key)) {
    throw new RangeError('an idempotency key is 16-255 characters of [A-Za-z0-9_-]');
  }
}
