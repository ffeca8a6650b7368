import { RefusalCache } from './refusal-cache.js';
import type { ScopeCheck } from './rate-limit.types.js';

const check = (key: string): ScopeCheck => ({
  scope: 'user',
  key,
  rule: { algorithm: 'sliding_window', limit: 1, windowMs: 1000 },
  enforced: true,
});

describe('RefusalCache', () => {
  it('refuses by exact key until the time it was told', () => {
    const cache = new RefusalCache();
    cache.remember(check('a'), 2000, 1000);

    expect(cache.refusing([check('a'), check('b')], 1999)).toHaveLength(1);
    expect(cache.refusing([check('a')], 2000)).toHaveLength(0);
    expect(cache.size).toBe(0);
  });

  it('never holds more than its capacity', () => {
    const cache = new RefusalCache(3);

    for (let index = 0; index < 10; index += 1) cache.remember(check(`k${index}`), 5000, 1000);

    expect(cache.size).toBe(3);
    expect(cache.refusing([check('k9')], 1000)).toHaveLength(1);
  });
});
