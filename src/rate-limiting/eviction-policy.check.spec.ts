import { mayEvictCounters } from './eviction-policy.check.js';

describe('mayEvictCounters', () => {
  it('flags policies that can drop keys with a TTL, and only those', () => {
    const policies = [
      'noeviction',
      'allkeys-lru',
      'volatile-ttl',
      'allkeys-random',
      'volatile-lfu',
    ];

    expect(policies.map(mayEvictCounters)).toEqual([false, true, true, true, true]);
  });
});
