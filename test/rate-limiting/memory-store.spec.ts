import { MemoryRateLimitStore } from '../../src/rate-limiting/memory-rate-limit.store.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('in-process store on a fake clock', () => {
  const clock = { time: 1_764_807_000_000, now: () => clock.time };
  const store = new MemoryRateLimitStore(clock, 100);

  return {
    store,
    advance: async (ms) => {
      clock.time += Math.max(0, ms);
    },
    edgeMs: 1,
    countersHeld: async (keys) => keys.filter((key) => store.holds(key)).length,
  };
});
