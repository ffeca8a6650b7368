import fc from 'fast-check';

import { canonicalJson, requestFingerprint } from './fingerprint.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Rebuilds every object with its keys in a shuffled order, at every depth. */
function reorder(value: Json, seed: number): Json {
  if (Array.isArray(value)) return value.map((item) => reorder(item, seed));
  if (value === null || typeof value !== 'object') return value;

  const keys = Object.keys(value);
  const rotated = keys.map((_, index) => keys[(index + seed) % keys.length]).reverse();

  return Object.fromEntries(rotated.map((key) => [key, reorder(value[key], seed + 1)]));
}

const json = fc.jsonValue() as fc.Arbitrary<Json>;
const objects = fc.dictionary(fc.string(), json, { minKeys: 1 });

describe('request fingerprint', () => {
  it('ignores key order at every depth and whitespace', () => {
    fc.assert(
      fc.property(json, fc.nat(), fc.nat({ max: 4 }), (body, seed, indent) => {
        const shuffled = JSON.parse(JSON.stringify(reorder(body, seed), null, indent)) as Json;

        expect(requestFingerprint('POST', '/p', shuffled)).toBe(
          requestFingerprint('POST', '/p', body),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('changes when any value changes', () => {
    fc.assert(
      fc.property(objects, json, (body, replacement) => {
        const key = Object.keys(body)[0];
        fc.pre(canonicalJson(body[key]) !== canonicalJson(replacement));
        const changed = { ...body, [key]: replacement };

        expect(requestFingerprint('POST', '/p', changed)).not.toBe(
          requestFingerprint('POST', '/p', body),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('changes with the method or the path', () => {
    const body = { amount: 1 };

    expect(requestFingerprint('POST', '/a', body)).not.toBe(requestFingerprint('PUT', '/a', body));
    expect(requestFingerprint('POST', '/a', body)).not.toBe(requestFingerprint('POST', '/b', body));
  });

  it('writes canonical JSON with sorted keys', () => {
    expect(canonicalJson({ b: [2, { d: 1, c: 0 }], a: 'x' })).toBe(
      '{"a":"x","b":[2,{"c":0,"d":1}]}',
    );
  });
});
