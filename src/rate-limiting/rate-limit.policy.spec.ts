import { loadConfig } from '../config/config.loader.js';
import { RateLimitPolicy } from './rate-limit.policy.js';

describe('RateLimitPolicy', () => {
  const policy = new RateLimitPolicy(loadConfig({ RATE_LIMIT_SHADOW: 'ip' }));

  it('holds an unidentified caller to global and ip only', () => {
    const checks = policy.checksFor({ accountId: null, ip: '10.0.0.7' }, undefined);

    expect(checks.map((check) => check.scope)).toEqual(['ip', 'global']);
  });

  it('adds the caller’s scopes, and the endpoint scope on marked routes, in one slot', () => {
    const caller = { accountId: 'acct-1', ip: '10.0.0.7' };

    const plain = policy.checksFor(caller, undefined);
    const marked = policy.checksFor(caller, { endpoint: { name: 'payments' } });

    expect(plain.map((check) => check.scope)).toEqual(['burst', 'user', 'ip', 'global']);
    expect(marked.map((check) => check.key)).toEqual([
      'rl:{u:acct-1}:endpoint:payments',
      'rl:{u:acct-1}:burst',
      'rl:{u:acct-1}:user',
      'rl:{ip:10.0.0.7}:ip',
      'rl:{global}:global',
    ]);
    expect(marked[0].rule).toEqual({ algorithm: 'sliding_window', limit: 10, windowMs: 60_000 });
  });

  it('takes a route’s own endpoint limit over the configured one', () => {
    const caller = { accountId: 'acct-1', ip: '::1' };

    const [endpoint] = policy.checksFor(caller, {
      endpoint: { name: 'exports', limit: 2, windowMs: 5000 },
    });

    expect(endpoint.key).toBe('rl:{u:acct-1}:endpoint:exports');
    expect(endpoint.rule).toEqual({ algorithm: 'sliding_window', limit: 2, windowMs: 5000 });
  });

  it('keeps braces a caller controls out of the hash tag', () => {
    const [burst] = policy.checksFor({ accountId: 'a}{b', ip: '::1' }, undefined);

    expect(burst.key).toBe('rl:{u:a%7D%7Bb}:burst');
  });

  it('marks shadow scopes as not enforced', () => {
    const checks = policy.checksFor({ accountId: null, ip: '::1' }, undefined);

    expect(checks.map((check) => [check.scope, check.enforced])).toEqual([
      ['ip', false],
      ['global', true],
    ]);
  });
});
