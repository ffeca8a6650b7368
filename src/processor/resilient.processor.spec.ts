import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { Logger } from '@nestjs/common';

import { ProcessorUnavailableError } from '../common/errors/payment-errors.js';
import { ProcessorTransientError } from './processor.port.js';
import type { ChargeRequest, ChargeResult, PaymentProcessor } from './processor.port.js';
import type { ResilienceSettings } from './resilience-settings.js';
import { ProcessorOutcomeUnknownError, ResilientProcessor } from './resilient.processor.js';

type Step = 'ok' | 'decline' | 'fail' | 'hang' | 'manual';

/** A processor that answers from a script, then repeats the script's last step. */
class ScriptedProcessor implements PaymentProcessor {
  calls = 0;
  private release: (() => void) | null = null;

  constructor(private readonly script: Step[]) {}

  async charge(_request: ChargeRequest, signal?: AbortSignal): Promise<ChargeResult> {
    const step = this.script[Math.min(this.calls, this.script.length - 1)];
    this.calls += 1;

    return this.answer(step, signal);
  }

  async lookup(): Promise<ChargeResult | null> {
    return null;
  }

  /** Lets the pending `manual` call succeed. */
  finishManual(): void {
    this.release?.();
  }

  private async answer(step: Step, signal?: AbortSignal): Promise<ChargeResult> {
    if (step === 'fail') throw new ProcessorTransientError();
    if (step === 'decline') return { outcome: 'declined', reference: 'r', reason: 'card_declined' };
    if (step === 'hang')
      return new Promise((_, reject) => signal?.addEventListener('abort', reject));
    if (step === 'manual') await new Promise<void>((done) => (this.release = done));

    return { outcome: 'succeeded', reference: 'r' };
  }
}

const SETTINGS: ResilienceSettings = {
  maxRetries: 2,
  baseDelayMs: 100,
  maxDelayMs: 250,
  breakerThreshold: 3,
  halfOpenAfterMs: 10_000,
  timeoutMs: 2000,
};

const REQUEST: ChargeRequest = {
  processorKey: 'pay_1',
  amountMinor: 100,
  currency: 'USD',
  paymentMethod: 'wallet',
};

function resilient(script: Step[], settings: Partial<ResilienceSettings> = {}, random = () => 0) {
  const processor = new ScriptedProcessor(script);

  return {
    processor,
    resilient: new ResilientProcessor(processor, { ...SETTINGS, ...settings }, random),
  };
}

/** The error of a charge expected to fail; fires due timers (retry delays) on the way. */
async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  const settled = promise.then(
    () => new Error('expected the charge to fail'),
    (error: unknown) => error,
  );
  await jest.runAllTimersAsync();

  return settled;
}

/** The result of a charge expected to succeed, firing due timers on the way. */
async function resultOf(promise: Promise<ChargeResult>): Promise<ChargeResult> {
  await jest.advanceTimersByTimeAsync(0);

  return promise;
}

/** Opens the breaker with failing calls that are not retried. */
async function openBreaker(subject: ResilientProcessor) {
  for (let call = 0; call < SETTINGS.breakerThreshold; call += 1) {
    await failureOf(subject.charge(REQUEST));
  }
}

beforeAll(() => Logger.overrideLogger(false));

beforeEach(() => {
  jest.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
});

afterEach(() => {
  jest.useRealTimers();
});

describe('ResilientProcessor retries', () => {
  it('never retries a decline', async () => {
    const { processor, resilient: subject } = resilient(['decline']);

    const result = await subject.charge(REQUEST);

    expect(result.outcome).toBe('declined');
    expect(processor.calls).toBe(1);
  });

  it('retries a transient failure and returns the later success', async () => {
    const { processor, resilient: subject } = resilient(['fail', 'ok']);

    const result = await resultOf(subject.charge(REQUEST));

    expect(result.outcome).toBe('succeeded');
    expect(processor.calls).toBe(2);
    expect(subject.failuresInARow).toBe(0);
  });

  it('gives up after maxRetries with 503 processor_unavailable and Retry-After', async () => {
    const { processor, resilient: subject } = resilient(['fail'], { breakerThreshold: 100 });

    const error = await failureOf(subject.charge(REQUEST));

    expect(error).toBeInstanceOf(ProcessorUnavailableError);
    expect(error).toMatchObject({ status: 503, code: 'processor_unavailable' });
    expect((error as ProcessorUnavailableError).headers['Retry-After']).toBe('1');
    expect(processor.calls).toBe(SETTINGS.maxRetries + 1);
  });

  it('waits a capped exponential, fully jittered delay before each retry', async () => {
    const { processor, resilient: subject } = resilient(
      ['fail'],
      { maxRetries: 3, breakerThreshold: 100 },
      () => 0.5,
    );
    const settled = subject.charge(REQUEST).catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(0);

    // random 0.5 of ceilings 100, 200 and 250 (capped): 50, 100, 125 ms.
    for (const [delay, callsAfter] of [
      [50, 2],
      [100, 3],
      [125, 4],
    ]) {
      await jest.advanceTimersByTimeAsync(delay - 1);
      expect(processor.calls).toBe(callsAfter - 1);
      await jest.advanceTimersByTimeAsync(1);
      expect(processor.calls).toBe(callsAfter);
    }

    expect(await settled).toBeInstanceOf(ProcessorUnavailableError);
  });

  it('turns a timeout into an unknown outcome and does not retry it', async () => {
    const { processor, resilient: subject } = resilient(['hang']);
    const settled = failureOf(subject.charge(REQUEST));

    await jest.advanceTimersByTimeAsync(SETTINGS.timeoutMs);

    expect(await settled).toBeInstanceOf(ProcessorOutcomeUnknownError);
    expect(processor.calls).toBe(1);
    expect(subject.failuresInARow).toBe(1);
  });
});

describe('ResilientProcessor circuit breaker', () => {
  it('opens after consecutive failures and refuses without calling the processor', async () => {
    const { processor, resilient: subject } = resilient(['fail', 'fail', 'fail', 'ok'], {
      maxRetries: 0,
    });
    await openBreaker(subject);

    const error = await failureOf(subject.charge(REQUEST));

    expect(processor.calls).toBe(3);
    expect(subject.circuitState).toBe('open');
    expect(error).toBeInstanceOf(ProcessorUnavailableError);
    expect((error as ProcessorUnavailableError).headers['Retry-After']).toBe('10');
    expect(subject.health()).toEqual({ status: 'down', circuit: 'open', consecutive_failures: 3 });
  });

  it('reports in Retry-After the time left until it probes', async () => {
    const { resilient: subject } = resilient(['fail'], { maxRetries: 0 });
    await openBreaker(subject);

    await jest.advanceTimersByTimeAsync(4_200);
    const error = (await failureOf(subject.charge(REQUEST))) as ProcessorUnavailableError;

    expect(error.headers['Retry-After']).toBe('6');
    expect(subject.secondsUntilProbe()).toBe(6);
  });

  it('lets one probe through when half-open, holds the others, and closes on success', async () => {
    const { processor, resilient: subject } = resilient(['fail', 'fail', 'fail', 'manual', 'ok'], {
      maxRetries: 0,
    });
    await openBreaker(subject);
    await jest.advanceTimersByTimeAsync(SETTINGS.halfOpenAfterMs);

    const probe = subject.charge(REQUEST);
    const waiting = subject.charge(REQUEST);
    await jest.advanceTimersByTimeAsync(0);
    expect(subject.circuitState).toBe('half_open');
    expect(subject.health().status).toBe('degraded');
    expect(processor.calls).toBe(4);

    processor.finishManual();
    await expect(probe).resolves.toMatchObject({ outcome: 'succeeded' });
    await expect(waiting).resolves.toMatchObject({ outcome: 'succeeded' });
    expect(processor.calls).toBe(5);
    expect(subject.circuitState).toBe('closed');
    expect(subject.health()).toEqual({ status: 'up', circuit: 'closed', consecutive_failures: 0 });
  });

  it('opens again for the full delay when the probe fails', async () => {
    const { processor, resilient: subject } = resilient(['fail'], { maxRetries: 0 });
    await openBreaker(subject);
    await jest.advanceTimersByTimeAsync(SETTINGS.halfOpenAfterMs);

    await failureOf(subject.charge(REQUEST));
    const error = (await failureOf(subject.charge(REQUEST))) as ProcessorUnavailableError;

    expect(processor.calls).toBe(4);
    expect(subject.circuitState).toBe('open');
    expect(error.headers['Retry-After']).toBe('10');
  });

  it('does not count declines as failures', async () => {
    const { resilient: subject } = resilient(['fail', 'fail', 'decline', 'fail', 'fail'], {
      maxRetries: 0,
    });

    for (let call = 0; call < 5; call += 1) await subject.charge(REQUEST).catch(() => null);

    expect(subject.circuitState).toBe('closed');
    expect(subject.failuresInARow).toBe(2);
  });

  it('counts every failed attempt of a retried call toward the breaker', async () => {
    const { processor, resilient: subject } = resilient(['fail']);

    const error = (await failureOf(subject.charge(REQUEST))) as ProcessorUnavailableError;

    // Three attempts, the third opens the breaker, so the client is told to wait for the probe.
    expect(processor.calls).toBe(3);
    expect(subject.circuitState).toBe('open');
    expect(error.code).toBe('processor_unavailable');
    expect(error.headers['Retry-After']).toBe('10');
  });
});
