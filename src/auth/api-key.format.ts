import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PATTERN = /^pk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;
const LEGACY_KEY_PATTERN = /^[\x21-\x7e]{8,200}$/;

export interface ParsedKey {
  keyId: string;
  hash: string;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Keys look like `pk_<12-char id>_<43-char secret>`: the id finds the row with an index hit,
 * the secret is checked by hash. Keys given in other shapes (the development key, or keys an
 * operator chose for API_KEYS) are found by an id derived from their hash instead.
 */
export function parseKey(key: string): ParsedKey | null {
  const match = KEY_PATTERN.exec(key);
  if (match) return { keyId: match[1], hash: hashKey(key) };
  if (!LEGACY_KEY_PATTERN.test(key)) return null;

  const hash = hashKey(key);

  return { keyId: `h${hash.slice(0, 15)}`, hash };
}

export function generateKey(): string {
  const id = randomBytes(12)
    .toString('base64url')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '0');

  return `pk_${id.slice(0, 12)}_${randomBytes(32).toString('base64url')}`;
}

export function hashesMatch(storedHex: string, candidateHex: string): boolean {
  const stored = Buffer.from(storedHex, 'hex');
  const candidate = Buffer.from(candidateHex, 'hex');

  return stored.length === candidate.length && timingSafeEqual(stored, candidate);
}
