import { Logger } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';

import { ServiceUnavailableError } from '../common/errors/request-errors.js';
import { loadConfig } from '../config/config.loader.js';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import { RateLimitService } from './rate-limit.service.js';
import type { Decision, RateLimitStore, ScopeCheck } from './rate-limit.types.js';

class FlakyStore implements RateLimitStore {
  calls = 0;
  down = false;
  hung = false;

  constructor(private readonly inner: RateLimitStore) {}

  consume(checks: readonly ScopeCheck[]): Promise<Decision> {
    return this.call(() => this.inner.consume(checks));
  }

  peek(checks: readonly ScopeCheck[]): Promise<Decision> {
    return this.call(() => this.inner.peek(checks));
  }

  private call(action: () => Promise<Decision>): Promise<Decision> {
    this.calls += 1;
    if (this.hung) return new Promise(() => undefined);

    return this.down ? Promise.reject(new Error('Connection is closed.')) : action();
  }
}

function fakeMetrics() {
  const counts = new Map<string, number>();
  const exceeded = {
    inc: (labels: { scope: string; shadow: string }) => {
      const name = `${labels.scope}/${labels.shadow}`;
      counts.set(name, (counts.get(name) ?? 0) + 1);
    },
  } as unknown as Counter<string>;
  const gauge = { value: 0, set: (value: number) => (gauge.value = value) };

  return { counts, exceeded, degraded: gauge as unknown as Gauge<string>, gauge };
}

function setup(env: Record<string, string> = {}, embedded = false) {
  const clock = { time: 1_764_807_000_000, now: () => clock.time };
  const shared = new FlakyStore(new MemoryRateLimitStore(clock));
  const local = new MemoryRateLimitStore(clock);
  const metrics = fakeMetrics();
  const service = new RateLimitService(
    { shared: embedded ? null : shared, local, clock },
    loadConfig(env),
    metrics.exceeded,
    metrics.degraded,
  );

  return { service, shared, clock, metrics };
}

const user = (limit: number, enforced = true): ScopeCheck => ({
  scope: 'user',
  key: 'rl:{u:a}:user',
  rule: { algorithm: 'sliding_window', limit, windowMs: 10_000 },
  enforced,
});

describe('RateLimitService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('names the refusing scope and the longest wait', async () => {
    const { service } = setup();
    const ip: ScopeCheck = { ...user(1), scope: 'ip', key: 'rl:{ip:x}:ip' };
    await service.evaluate([user(1), ip], 'consume');

    const refused = await service.evaluate([user(1), ip], 'consume');

    expect(refused.allowed).toBe(false);
    expect(refused.refusal).toEqual({ scope: 'user', retryAfterMs: 10_000 });
  });

  it('answers repeated refusals from memory until the refusal lapses', async () => {
    const { service, shared, clock, metrics } = setup();
    await service.evaluate([user(1)], 'consume');
    await service.evaluate([user(1)], 'consume');
    const callsAfterFirstRefusal = shared.calls;

    clock.time += 4000;
    const flood = await Promise.all(
      Array.from({ length: 50 }, () => service.evaluate([user(1)], 'consume')),
    );
    clock.time += 6000;
    const lapsed = await service.evaluate([user(1)], 'consume');

    expect(flood.every((outcome) => outcome.refusal?.retryAfterMs === 6000)).toBe(true);
    expect(shared.calls).toBe(callsAfterFirstRefusal + 1);
    expect(lapsed.allowed).toBe(true);
    expect(metrics.counts.get('user/false')).toBe(51);
  });

  it('counts shadow scopes over their limit without refusing', async () => {
    const { service, metrics } = setup();
    await service.evaluate([user(1, false)], 'consume');

    const over = await service.evaluate([user(1, false)], 'consume');

    expect(over.allowed).toBe(true);
    expect(over.refusal).toBeNull();
    expect(metrics.counts.get('user/true')).toBe(1);
  });

  describe('when Redis fails', () => {
    it('fails open to per-instance limits and returns to shared ones by itself', async () => {
      const { service, shared, clock, metrics } = setup({ RATE_LIMIT_FAIL_MODE: 'open' });
      await service.evaluate([user(2)], 'consume');
      shared.down = true;

      const during = await service.evaluate([user(2)], 'consume');
      const stillLocal = await service.evaluate([user(2)], 'consume');
      const healthDuring = service.health();
      shared.down = false;
      clock.time += 1000;
      const after = await service.evaluate([user(2)], 'consume');
      const full = await service.evaluate([user(2)], 'consume');

      expect([during.allowed, stillLocal.allowed]).toEqual([true, true]);
      expect(healthDuring).toEqual({ status: 'degraded', mode: 'fallback' });
      expect(metrics.gauge.value).toBe(0);
      expect(after.standings[0]).toMatchObject({ allows: true, remaining: 0 });
      expect(full.allowed).toBe(false);
      expect(service.health()).toEqual({ status: 'up', mode: 'redis' });
    });

    it('probes a failing store at most once a second', async () => {
      const { service, shared, clock } = setup();
      shared.down = true;
      await service.evaluate([user(100)], 'consume');

      for (let index = 0; index < 20; index += 1) await service.evaluate([user(100)], 'peek');
      clock.time += 1000;
      await service.evaluate([user(100)], 'peek');

      expect(shared.calls).toBe(2);
    });

    it('stops waiting for a store that never answers', async () => {
      const { service, shared } = setup({ REDIS_COMMAND_TIMEOUT: '20ms' });
      shared.hung = true;

      const outcome = await service.evaluate([user(5)], 'consume');

      expect(outcome.allowed).toBe(true);
      expect(service.health()).toEqual({ status: 'degraded', mode: 'fallback' });
    });

    it('fails closed with 503 when configured so', async () => {
      const { service, shared, metrics } = setup({ RATE_LIMIT_FAIL_MODE: 'closed' });
      shared.down = true;

      await expect(service.evaluate([user(5)], 'consume')).rejects.toBeInstanceOf(
        ServiceUnavailableError,
      );
      expect(service.health()).toEqual({ status: 'down', mode: 'redis' });
      expect(metrics.gauge.value).toBe(1);
    });
  });

  it('reports embedded mode when there is no shared store', () => {
    const { service } = setup({}, true);

    expect(service.health()).toEqual({ status: 'up', mode: 'embedded' });
  });
});
