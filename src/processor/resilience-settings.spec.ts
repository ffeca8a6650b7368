import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { loadConfig } from '../config/config.loader.js';
import {
  RESILIENCE_SETTINGS,
  backoffCeilingMs,
  fullJitterDelayMs,
  resilienceSettings,
} from './resilience-settings.js';
import type { ResilienceSettings } from './resilience-settings.js';

const settingsArbitrary = fc
  .record({
    baseDelayMs: fc.integer({ min: 0, max: 5_000 }),
    extraMaxMs: fc.integer({ min: 0, max: 60_000 }),
  })
  .map(({ baseDelayMs, extraMaxMs }): ResilienceSettings => ({
    ...RESILIENCE_SETTINGS,
    baseDelayMs,
    maxDelayMs: baseDelayMs + extraMaxMs,
  }));

describe('full-jitter backoff', () => {
  it('keeps every delay within [0, min(cap, base * 2^n)]', () => {
    fc.assert(
      fc.property(
        settingsArbitrary,
        fc.integer({ min: 0, max: 40 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (settings, retry, random) => {
          const delay = fullJitterDelayMs(retry, settings, () => random);
          const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** retry);

          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThanOrEqual(ceiling);
        },
      ),
    );
  });

  it('doubles the ceiling per retry until the cap', () => {
    const settings = { ...RESILIENCE_SETTINGS, baseDelayMs: 50, maxDelayMs: 1000 };

    const ceilings = [0, 1, 2, 3, 4, 5, 6].map((retry) => backoffCeilingMs(retry, settings));

    expect(ceilings).toEqual([50, 100, 200, 400, 800, 1000, 1000]);
  });
});

describe('resilience settings from the environment', () => {
  it('defaults to the shipped constant', () => {
    expect(resilienceSettings(loadConfig({}))).toEqual(RESILIENCE_SETTINGS);
  });

  it('reads every PROCESSOR_* variable', () => {
    const config = loadConfig({
      PROCESSOR_MAX_RETRIES: '4',
      PROCESSOR_RETRY_BASE_DELAY: '10ms',
      PROCESSOR_RETRY_MAX_DELAY: '300ms',
      PROCESSOR_BREAKER_THRESHOLD: '8',
      PROCESSOR_BREAKER_HALF_OPEN: '1500ms',
      PROCESSOR_TIMEOUT: '250ms',
    });

    expect(resilienceSettings(config)).toEqual({
      maxRetries: 4,
      baseDelayMs: 10,
      maxDelayMs: 300,
      breakerThreshold: 8,
      halfOpenAfterMs: 1500,
      timeoutMs: 250,
    });
  });

  it.each([
    [{ PROCESSOR_MAX_RETRIES: '11' }, 'PROCESSOR_MAX_RETRIES'],
    [{ PROCESSOR_MAX_RETRIES: 'two' }, 'PROCESSOR_MAX_RETRIES'],
    [{ PROCESSOR_BREAKER_THRESHOLD: '0' }, 'PROCESSOR_BREAKER_THRESHOLD'],
    [{ PROCESSOR_BREAKER_HALF_OPEN: '10' }, 'PROCESSOR_BREAKER_HALF_OPEN'],
    [{ PROCESSOR_BREAKER_HALF_OPEN: '50ms' }, 'PROCESSOR_BREAKER_HALF_OPEN'],
    [{ PROCESSOR_RETRY_BASE_DELAY: '2s' }, 'PROCESSOR_RETRY_MAX_DELAY'],
    [{ RECONCILE_INTERVAL: '10ms' }, 'RECONCILE_INTERVAL'],
    [{ RECONCILE_GRACE: '5s' }, 'RECONCILE_GRACE'],
  ])('refuses %j naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(variable);
  });

  it('accepts a reconciliation grace longer than the longest processor call', () => {
    const config = loadConfig({
      PROCESSOR_TIMEOUT: '200ms',
      PROCESSOR_RETRY_MAX_DELAY: '100ms',
      RECONCILE_GRACE: '1s',
      RECONCILE_INTERVAL: '250ms',
    });

    expect(config.reconcile).toEqual({ intervalMs: 250, graceMs: 1000 });
  });
});
