import { AppError } from '../common/errors/app-error.js';
import { parseIdempotencyKey } from './idempotency-key.js';

function codeOf(header: string | string[] | undefined): string {
  try {
    parseIdempotencyKey(header);
    return 'accepted';
  } catch (error) {
    return error instanceof AppError ? error.code : 'unexpected';
  }
}

describe('Idempotency-Key header', () => {
  it('accepts 16-255 characters of the allowed alphabet', () => {
    expect(parseIdempotencyKey('a'.repeat(16))).toBe('a'.repeat(16));
    expect(parseIdempotencyKey('A-b_9'.repeat(51))).toHaveLength(255);
  });

  it('unquotes the RFC 8941 string form', () => {
    expect(parseIdempotencyKey('"order-1042-attempt"')).toBe('order-1042-attempt');
  });

  it('refuses a missing or empty key as missing', () => {
    expect(codeOf(undefined)).toBe('idempotency_key_missing');
    expect(codeOf('  ')).toBe('idempotency_key_missing');
  });

  it.each([
    ['too short', 'a'.repeat(15)],
    ['too long', 'a'.repeat(256)],
    ['bad characters', 'order 1042 attempt!'],
    ['half quoted', '"order-1042-attempt'],
    ['quoted but too short', '"short"'],
  ])('refuses a key that is %s', (_label, key) => {
    expect(codeOf(key)).toBe('idempotency_key_invalid');
  });

  it('refuses the header sent twice', () => {
    expect(codeOf(['a'.repeat(16), 'b'.repeat(16)])).toBe('idempotency_key_invalid');
  });
});
