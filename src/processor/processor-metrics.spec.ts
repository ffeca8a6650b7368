import { Logger } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';

import { ProcessorMetrics } from './processor-metrics.js';
import { ProcessorTransientError } from './processor.port.js';
import type { PaymentProcessor } from './processor.port.js';
import { RESILIENCE_SETTINGS, ResilientProcessor } from './resilient.processor.js';

const REQUEST = {
  processorKey: 'pay_1',
  amountMinor: 100,
  currency: 'USD',
  paymentMethod: 'wallet' as const,
};

function failingProcessor(): PaymentProcessor {
  return {
    charge: async () => {
      throw new ProcessorTransientError('down');
    },
    lookup: async () => null,
  } as unknown as PaymentProcessor;
}

describe('ProcessorMetrics', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('follows the breaker into open and counts failed charges by kind', async () => {
    const processor = new ResilientProcessor(failingProcessor(), {
      ...RESILIENCE_SETTINGS,
      timeoutMs: 1000,
    });
    const state: number[] = [];
    const transitions: string[] = [];
    const errors: string[] = [];
    const metrics = new ProcessorMetrics(
      processor,
      { set: (value: number) => state.push(value) } as unknown as Gauge,
      { inc: (labels: { to: string }) => transitions.push(labels.to) } as unknown as Counter<'to'>,
      { inc: (labels: { kind: string }) => errors.push(labels.kind) } as unknown as Counter<'kind'>,
    );
    metrics.onModuleInit();

    const calls =
      Math.ceil(RESILIENCE_SETTINGS.breakerThreshold / RESILIENCE_SETTINGS.maxRetries) + 1;
    for (let call = 0; call < calls; call += 1) {
      await processor.charge(REQUEST).catch(() => undefined);
    }

    expect(processor.circuitState).toBe('open');
    expect(state[0]).toBe(0);
    expect(state[state.length - 1]).toBe(2);
    expect(transitions).toEqual(['open']);
    expect(errors[0]).toBe('transient');
    expect(errors[errors.length - 1]).toBe('circuit_open');
  });
});
