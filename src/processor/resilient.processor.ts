import { Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleType,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import type { CircuitBreakerPolicy, IPolicy, IRetryBackoffContext } from 'cockatiel';

import { ProcessorUnavailableError } from '../common/errors/payment-errors.js';
import { ProcessorTransientError } from './processor.port.js';
import type { ChargeRequest, ChargeResult, PaymentProcessor } from './processor.port.js';
import { fullJitterDelayMs } from './resilience-settings.js';
import type { ResilienceSettings } from './resilience-settings.js';

export { RESILIENCE_SETTINGS, resilienceSettings } from './resilience-settings.js';
export type { ResilienceSettings } from './resilience-settings.js';

/** The charge may or may not have happened: the processor did not answer in time. */
export class ProcessorOutcomeUnknownError extends Error {
  constructor(cause: unknown) {
    super('processor did not answer in time', { cause });
    this.name = 'ProcessorOutcomeUnknownError';
  }
}

export type CircuitStateName = 'closed' | 'open' | 'half_open';

/** Why a charge failed, as seen by its caller after retries. */
export type ChargeFailureKind = 'circuit_open' | 'timeout' | 'transient' | 'other';

/** Receives what happens to the breaker and to charges; used for metrics. */
export interface ProcessorObserver {
  circuitChanged?(state: CircuitStateName): void;
  chargeFailed?(kind: ChargeFailureKind): void;
}

/** What the health check reports about the processor. */
export interface ProcessorHealth {
  status: 'up' | 'degraded' | 'down';
  circuit: CircuitStateName;
  consecutive_failures: number;
}

function failureKind(error: unknown): ChargeFailureKind {
  if (error instanceof BrokenCircuitError) return 'circuit_open';
  if (error instanceof TaskCancelledError) return 'timeout';

  return error instanceof ProcessorTransientError ? 'transient' : 'other';
}

/**
 * Every processor call goes through: a timeout (an unanswered charge is an unknown outcome,
 * never retried here but reconciled later), retries with full-jitter backoff for transient
 * failures only, and a consecutive-failure circuit breaker shared by all calls.
 *
 * Time is the global clock: cockatiel reads `Date.now()` and schedules with `setTimeout`, so
 * unit tests drive it with Jest's fake timers. Randomness (the jitter) is injected.
 */
export class ResilientProcessor {
  private readonly logger = new Logger(ResilientProcessor.name);
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy: IPolicy;
  private openedAt = 0;
  private consecutiveFailures = 0;
  private readonly observers: ProcessorObserver[] = [];

  constructor(
    private readonly processor: PaymentProcessor,
    readonly settings: ResilienceSettings,
    private readonly random: () => number = Math.random,
  ) {
    this.breaker = circuitBreaker(handleType(ProcessorTransientError).orType(TaskCancelledError), {
      halfOpenAfter: settings.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(settings.breakerThreshold),
    });
    const retries = retry(handleType(ProcessorTransientError), {
      maxAttempts: settings.maxRetries,
      backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) =>
        fullJitterDelayMs(context.attempt - 1, settings, this.random),
      ),
    });
    const timeLimit = timeout(settings.timeoutMs, TimeoutStrategy.Aggressive);
    this.policy = wrap(retries, this.breaker, timeLimit);
    this.watchBreaker();
  }

  get circuitState(): CircuitStateName {
    if (this.breaker.state === CircuitState.Open || this.breaker.state === CircuitState.Isolated) {
      return 'open';
    }

    return this.breaker.state === CircuitState.HalfOpen ? 'half_open' : 'closed';
  }

  /** Processor attempts that failed in a row (timeouts included); 0 after any success. */
  get failuresInARow(): number {
    return this.consecutiveFailures;
  }

  /** Seconds until the open breaker lets a probe through (at least 1); 0 when it is not open. */
  secondsUntilProbe(): number {
    if (this.circuitState !== 'open') return 0;

    const remaining = this.openedAt + this.settings.halfOpenAfterMs - Date.now();

    return Math.max(1, Math.ceil(remaining / 1000));
  }

  health(): ProcessorHealth {
    const circuit = this.circuitState;
    const failures = this.consecutiveFailures;
    let status: ProcessorHealth['status'] = 'up';
    if (circuit === 'open') status = 'down';
    else if (circuit === 'half_open' || failures > 0) status = 'degraded';

    return { status, circuit, consecutive_failures: failures };
  }

  observe(observer: ProcessorObserver): void {
    this.observers.push(observer);
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    // A signal per call: without one, cockatiel hangs every call's abort listener on one shared
    // signal, and more than ten charges at once trip Node's listener-leak warning.
    const perCall = new AbortController().signal;
    try {
      return await this.policy.execute(
        ({ signal }) => this.processor.charge(request, signal),
        perCall,
      );
    } catch (error) {
      const kind = failureKind(error);
      this.observers.forEach((observer) => observer.chargeFailed?.(kind));
      throw this.translate(error);
    }
  }

  /** Asks the processor directly, outside the breaker: reconciliation must see the truth. */
  lookup(processorKey: string): Promise<ChargeResult | null> {
    return this.processor.lookup(processorKey);
  }

  private translate(error: unknown): Error {
    if (error instanceof BrokenCircuitError) {
      return new ProcessorUnavailableError(
        this.secondsUntilProbe(),
        'The payment processor is unavailable (circuit open). Retry with the same key.',
        error,
      );
    }
    if (error instanceof TaskCancelledError) return new ProcessorOutcomeUnknownError(error);
    if (error instanceof ProcessorTransientError) {
      // When these failures opened the circuit, the next attempt can only go after the probe.
      return new ProcessorUnavailableError(
        Math.max(1, this.secondsUntilProbe()),
        'The payment processor failed after retries. Retry with the same key.',
        error,
      );
    }

    return error instanceof Error ? error : new Error(String(error));
  }

  private watchBreaker(): void {
    this.breaker.onSuccess(() => (this.consecutiveFailures = 0));
    this.breaker.onFailure(({ handled }) => {
      if (handled) this.consecutiveFailures += 1;
    });
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
      this.logger.warn(
        { halfOpenAfterMs: this.settings.halfOpenAfterMs, failures: this.consecutiveFailures },
        'circuit opened',
      );
    });
    this.breaker.onReset(() => this.logger.log('circuit closed'));
    this.breaker.onHalfOpen(() => this.logger.log('circuit half-open: probing'));
    this.breaker.onStateChange(() => {
      const state = this.circuitState;
      this.observers.forEach((observer) => observer.circuitChanged?.(state));
    });
  }
}
