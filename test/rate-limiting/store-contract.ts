import { randomBytes } from 'node:crypto';

import { rateLimitHeaders, wholeSecondsUp } from '../../src/rate-limiting/rate-limit.headers.js';
import type {
  Decision,
  RateLimitStore,
  Rule,
  ScopeCheck,
  ScopeName,
} from '../../src/rate-limiting/rate-limit.types.js';

/** A store under test and the means to let its time pass. */
export interface StoreHarness {
  store: RateLimitStore;
  /** Lets `ms` pass on the store's clock: exactly on a fake clock, at least that on a real one. */
  advance(ms: number): Promise<void>;
  /**
   * How early before an edge a request is still sure to land before it: 1 ms on a fake clock,
   * a generous margin on a real one (the request's own latency, a busy machine).
   */
  edgeMs: number;
  /** How many of `keys` the store still holds a counter for. */
  countersHeld(keys: string[]): Promise<number>;
}

const window = (limit: number, windowMs: number): Rule => ({
  algorithm: 'sliding_window',
  limit,
  windowMs,
});

const bucket = (capacity: number, refillPerSecond: number): Rule => ({
  algorithm: 'token_bucket',
  capacity,
  refillPerSecond,
});

/** Keys of their own per test; the tag decides the slot, so tags differ to span slots. */
function keyMaker() {
  const run = randomBytes(4).toString('hex');

  return (tag: string, name: string) => `rl:{${tag}-${run}}:${name}`;
}

function check(scope: ScopeName, key: string, rule: Rule, enforced = true): ScopeCheck {
  return { scope, key, rule, enforced };
}

function standingOf(decision: Decision, key: string) {
  const standing = decision.standings.find((candidate) => candidate.check.key === key);
  if (!standing) throw new Error(`no standing for ${key}`);

  return standing;
}

async function repeat(times: number, action: () => Promise<Decision>): Promise<Decision[]> {
  const decisions: Decision[] = [];
  for (let index = 0; index < times; index += 1) decisions.push(await action());

  return decisions;
}

/**
 * The behaviour every rate-limit store must show, run against the in-process store (fake
 * clock), Redis and a Redis Cluster. Timing assertions lean on the store's own answers
 * (`retryAfterMs`, `nowMs`), so they hold on a real clock as on a fake one.
 */
export function describeStoreContract(name: string, harness: () => StoreHarness): void {
  describe(`rate-limit store contract: ${name}`, () => {
    const key = keyMaker();

    describe('sliding window', () => {
      it('admits exactly the limit, then refuses until the oldest request leaves', async () => {
        const { store } = harness();
        const user = check('user', key('u', 'limit'), window(3, 3000));

        const admitted = await repeat(3, () => store.consume([user]));
        const refused = await store.consume([user]);

        expect(admitted.map((decision) => decision.allowed)).toEqual([true, true, true]);
        expect(admitted.map((decision) => decision.standings[0].remaining)).toEqual([2, 1, 0]);
        expect(refused.allowed).toBe(false);
        expect(refused.standings[0]).toMatchObject({ allows: false, remaining: 0 });
        const firstAt = admitted[0].nowMs;
        expect(refused.standings[0].retryAfterMs).toBe(firstAt + 3000 - refused.nowMs);
      });

      it('frees each unit exactly one window after it was taken, not before', async () => {
        const { store, advance, edgeMs } = harness();
        const user = check('user', key('u', 'edge'), window(2, 3000));
        const first = await store.consume([user]);
        await advance(1000);
        const second = await store.consume([user]);

        const refused = await store.consume([user]);
        await advance(refused.standings[0].retryAfterMs - edgeMs);
        const justBefore = await store.consume([user]);
        await advance(justBefore.standings[0].retryAfterMs);
        const atEdge = await store.consume([user]);
        const afterEdge = await store.consume([user]);

        expect([first.allowed, second.allowed, refused.allowed]).toEqual([true, true, false]);
        expect(justBefore.allowed).toBe(false);
        expect(atEdge.allowed).toBe(true);
        expect(atEdge.nowMs).toBeGreaterThanOrEqual(first.nowMs + 3000);
        expect(afterEdge.allowed).toBe(false);
        expect(afterEdge.standings[0].retryAfterMs).toBe(second.nowMs + 3000 - afterEdge.nowMs);
      });

      it('never admits more than the limit in any window, refusing only at the limit', async () => {
        const { store, advance } = harness();
        const limit = 4;
        const windowMs = 400;
        const user = check('user', key('u', 'exact'), window(limit, windowMs));
        const admittedAt: number[] = [];
        const pauses = [0, 0, 30, 0, 90, 0, 0, 150, 10, 0, 60, 120, 0, 0, 200, 0, 40, 0, 0, 0];

        for (const pause of [...pauses, ...pauses]) {
          await advance(pause);
          const decision = await store.consume([user]);
          const inWindow = admittedAt.filter((at) => at > decision.nowMs - windowMs).length;

          expect(decision.allowed).toBe(inWindow < limit);
          if (decision.allowed) admittedAt.push(decision.nowMs);
        }
        for (const start of admittedAt) {
          const within = admittedAt.filter((at) => at >= start && at < start + windowMs);
          expect(within.length).toBeLessThanOrEqual(limit);
        }
        expect(admittedAt.length).toBeGreaterThan(limit);
      });
    });

    describe('token bucket', () => {
      it('spends its capacity, then refills continuously', async () => {
        const { store, advance, edgeMs } = harness();
        const burst = check('burst', key('u', 'bucket'), bucket(4, 2));

        const spent = await repeat(4, () => store.consume([burst]));
        const refused = await store.consume([burst]);
        await advance(refused.standings[0].retryAfterMs - edgeMs);
        const early = await store.peek([burst]);
        await advance(early.standings[0].retryAfterMs);
        const refilled = await store.consume([burst]);

        expect(spent.every((decision) => decision.allowed)).toBe(true);
        expect(refused.allowed).toBe(false);
        expect(refused.standings[0].retryAfterMs).toBeGreaterThan(0);
        expect(refused.standings[0].retryAfterMs).toBeLessThanOrEqual(500);
        expect(early.standings[0].allows).toBe(false);
        expect(refilled.allowed).toBe(true);
      });

      it('never holds more than its capacity after a long pause', async () => {
        const { store, advance } = harness();
        const burst = check('burst', key('u', 'cap'), bucket(3, 4));
        await repeat(3, () => store.consume([burst]));

        await advance(1000);
        const decisions = await repeat(4, () => store.consume([burst]));

        expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, false]);
        expect(decisions[0].standings[0].remaining).toBe(2);
      });
    });

    describe('all or nothing', () => {
      it('takes nothing from any scope when one scope refuses', async () => {
        const { store } = harness();
        const user = check('user', key('u', 'all'), window(5, 60_000));
        const burst = check('burst', key('u', 'all-b'), bucket(10, 1));
        const global = check('global', key('g', 'all'), window(2, 60_000));
        const checks = [user, burst, global];

        await repeat(2, () => store.consume(checks));
        const refused = await repeat(3, () => store.consume(checks));
        const after = await store.peek(checks);

        expect(refused.every((decision) => !decision.allowed)).toBe(true);
        expect(standingOf(refused[0], global.key).allows).toBe(false);
        expect(standingOf(after, user.key).remaining).toBe(3);
        expect(standingOf(after, burst.key).remaining).toBe(8);
        expect(standingOf(after, global.key).remaining).toBe(0);
      });

      it('takes nothing when the caller’s own scope refuses either', async () => {
        const { store } = harness();
        const endpoint = check('endpoint', key('u', 'own'), window(1, 60_000));
        const ip = check('ip', key('ip', 'own'), window(10, 60_000));
        const global = check('global', key('g', 'own'), window(10, 60_000));

        await store.consume([endpoint, ip, global]);
        await repeat(4, () => store.consume([endpoint, ip, global]));
        const after = await store.peek([ip, global]);

        expect(after.standings.map((standing) => standing.remaining)).toEqual([9, 9]);
      });
    });

    it('peeks without consuming anything', async () => {
      const { store } = harness();
      const user = check('user', key('u', 'peek'), window(3, 60_000));
      const burst = check('burst', key('u', 'peek-b'), bucket(2, 1));
      await store.consume([user, burst]);

      const peeks = await repeat(5, () => store.peek([user, burst]));

      for (const peek of peeks) {
        expect(peek.allowed).toBe(true);
        expect(peek.standings.map((standing) => standing.remaining)).toEqual([2, 1]);
      }
    });

    it('reports a shadow scope without enforcing it or counting refused requests', async () => {
      const { store, advance } = harness();
      const shadow = check('ip', key('ip', 'shadow'), window(1, 2000), false);
      const user = check('user', key('u', 'shadow'), window(10, 60_000));

      const first = await store.consume([shadow, user]);
      const over = await repeat(3, () => store.consume([shadow, user]));
      await advance(first.standings[0].resetMs);
      const later = await store.consume([shadow, user]);

      expect(over.every((decision) => decision.allowed)).toBe(true);
      expect(standingOf(over[2], shadow.key)).toMatchObject({ allows: false, remaining: 0 });
      expect(standingOf(over[2], user.key).remaining).toBe(6);
      expect(standingOf(later, shadow.key).allows).toBe(true);
    });

    describe('what clients are told', () => {
      it('reports every enforced scope and the most restrictive one', async () => {
        const { store } = harness();
        const user = check('user', key('u', 'hdr'), window(5, 60_000));
        const burst = check('burst', key('u', 'hdr-b'), bucket(3, 1));
        const global = check('global', key('g', 'hdr'), window(100, 60_000));
        await store.consume([user, burst, global]);

        const decision = await store.consume([user, burst, global]);
        const headers = rateLimitHeaders(decision.standings, decision.nowMs);

        expect(headers['RateLimit-Policy']).toBe(
          '"global";q=100;w=60, "user";q=5;w=60, "burst";q=3;w=1',
        );
        expect(headers.RateLimit).toMatch(/^"global";r=98;t=60, "user";r=3;t=60, "burst";r=1;t=1$/);
        expect(headers['X-RateLimit-Limit']).toBe('3');
        expect(headers['X-RateLimit-Remaining']).toBe('1');
        const reset = Number(headers['X-RateLimit-Reset']);
        expect(reset).toBeGreaterThanOrEqual(Math.floor(decision.nowMs / 1000));
        expect(reset).toBeLessThanOrEqual(Math.ceil(decision.nowMs / 1000) + 1);
      });

      it('rounds Retry-After up to whole seconds', async () => {
        const { store, advance } = harness();
        const user = check('user', key('u', 'retry'), window(1, 1500));
        await store.consume([user]);

        const refused = await store.consume([user]);
        await advance(refused.standings[0].retryAfterMs - 1000 + 100);
        const later = await store.consume([user]);

        expect(refused.standings[0].retryAfterMs).toBeGreaterThan(1000);
        expect(wholeSecondsUp(refused.standings[0].retryAfterMs)).toBe(2);
        expect(later.allowed).toBe(false);
        expect(later.standings[0].retryAfterMs).toBeLessThanOrEqual(900);
        expect(wholeSecondsUp(later.standings[0].retryAfterMs)).toBe(1);
      });
    });

    it('lets every counter expire once it has nothing left to remember', async () => {
      const { store, advance, countersHeld } = harness();
      const user = check('user', key('u', 'ttl'), window(5, 500));
      const burst = check('burst', key('u', 'ttl-b'), bucket(2, 10));
      await store.consume([user, burst]);
      const heldBefore = await countersHeld([user.key, burst.key]);

      await advance(700);
      await store.peek([check('global', key('g', 'ttl'), window(1, 1000))]);

      expect(heldBefore).toBe(2);
      expect(await countersHeld([user.key, burst.key])).toBe(0);
    });
  });
}
