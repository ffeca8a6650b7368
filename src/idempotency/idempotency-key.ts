import {
  IdempotencyKeyInvalidError,
  IdempotencyKeyMissingError,
} from '../common/errors/idempotency-errors.js';

const KEY_PATTERN = /^[A-Za-z0-9_-]{16,255}$/;

/**
 * Reads the Idempotency-Key header. The RFC 8941 string form `"..."` is accepted and unquoted;
 * anything that is not 16-255 characters of `[A-Za-z0-9_-]` is refused.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string {
  if (header === undefined) throw new IdempotencyKeyMissingError();
  if (Array.isArray(header)) throw new IdempotencyKeyInvalidError();

  const trimmed = header.trim();
  if (trimmed === '') throw new IdempotencyKeyMissingError();

  const quoted = trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"');
  const key = quoted ? trimmed.slice(1, -1) : trimmed;
  if (!KEY_PATTERN.test(key)) throw new IdempotencyKeyInvalidError();

  return key;
}
