import { mostRestrictive, rateLimitHeaders, wholeSecondsUp } from './rate-limit.headers.js';
import type { ScopeName, ScopeStanding } from './rate-limit.types.js';

function standing(scope: ScopeName, limit: number, remaining: number, enforced = true) {
  return {
    check: {
      scope,
      key: scope,
      rule: { algorithm: 'sliding_window', limit, windowMs: 60_000 },
      enforced,
    },
    allows: remaining > 0,
    remaining,
    resetMs: 1500,
    retryAfterMs: 0,
  } satisfies ScopeStanding;
}

describe('rate-limit headers', () => {
  it('picks the fewest remaining, and on a tie the smallest limit', () => {
    const chosen = mostRestrictive([
      standing('global', 1000, 5),
      standing('endpoint', 10, 5),
      standing('user', 100, 5),
    ]);

    expect(chosen?.check.scope).toBe('endpoint');
  });

  it('leaves shadow scopes out of what clients see', () => {
    const headers = rateLimitHeaders(
      [standing('ip', 300, 0, false), standing('global', 1000, 7)],
      1_764_807_000_200,
    );

    expect(headers).toEqual({
      'X-RateLimit-Limit': '1000',
      'X-RateLimit-Remaining': '7',
      'X-RateLimit-Reset': '1764807002',
      'RateLimit-Policy': '"global";q=1000;w=60',
      RateLimit: '"global";r=7;t=2',
    });
  });

  it('rounds waits up to whole seconds, never below one', () => {
    expect([1, 999, 1000, 1001, 0].map(wholeSecondsUp)).toEqual([1, 1, 1, 2, 1]);
  });
});
