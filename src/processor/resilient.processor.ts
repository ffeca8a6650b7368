import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleType,
  retry,
  timeout,
  wrap,
} from 'cockatiel';
import type { CircuitBreakerPolicy, IPolicy } from 'cockatiel';

import { ProcessorUnavailableError } from '../common/errors/payment-errors.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { PAYMENT_PROCESSOR, ProcessorTransientError } from './processor.port.js';
import type { ChargeRequest, ChargeResult, PaymentProcessor } from './processor.port.js';

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

export interface ResilienceSettings {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  breakerThreshold: number;
  halfOpenAfterMs: number;
}

export const RESILIENCE_SETTINGS: ResilienceSettings = {
  maxRetries: 2,
  baseDelayMs: 50,
  maxDelayMs: 1000,
  breakerThreshold: 5,
  halfOpenAfterMs: 10_000,
};

/** Cockatiel's "full jitter": a uniform delay between 0 and the capped exponential step. */
function fullJitter(attempt: number, settings: ResilienceSettings): number {
  const cap = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** attempt);

  return Math.random() * cap;
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
 */
@Injectable()
export class ResilientProcessor {
  private readonly logger = new Logger(ResilientProcessor.name);
  private readonly breaker: CircuitBreakerPolicy;
  private readonly policy: IPolicy;
  private openedAt = 0;
  private consecutiveFailures = 0;
  private readonly observers: ProcessorObserver[] = [];

  constructor(
    @Inject(PAYMENT_PROCESSOR) private readonly processor: PaymentProcessor,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const settings = RESILIENCE_SETTINGS;
    this.breaker = circuitBreaker(handleType(ProcessorTransientError).orType(TaskCancelledError), {
      halfOpenAfter: settings.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(settings.breakerThreshold),
    });
    const retries = retry(handleType(ProcessorTransientError), {
      maxAttempts: settings.maxRetries,
      backoff: new ExponentialBackoff({
        initialDelay: settings.baseDelayMs,
        maxDelay: settings.maxDelayMs,
        generator: (state: number | undefined) => {
          const attempt = state ?? 0;
          return [fullJitter(attempt, settings), attempt + 1];
        },
      }),
    });
    const timeLimit = timeout(this.config.processor.timeoutMs, TimeoutStrategy.Aggressive);
    this.policy = wrap(retries, this.breaker, timeLimit);
    this.watchBreaker();
  }

  get circuitState(): CircuitStateName {
    if (this.breaker.state === CircuitState.Open || this.breaker.state === CircuitState.Isolated) {
      return 'open';
    }

    return this.breaker.state === CircuitState.HalfOpen ? 'half_open' : 'closed';
  }

  get failuresInARow(): number {
    return this.consecutiveFailures;
  }

  /** Seconds until the open breaker lets a probe through; 0 when it is not open. */
  secondsUntilProbe(): number {
    if (this.circuitState !== 'open') return 0;

    const remaining = this.openedAt + RESILIENCE_SETTINGS.halfOpenAfterMs - Date.now();

    return Math.max(1, Math.ceil(remaining / 1000));
  }

  observe(observer: ProcessorObserver): void {
    this.observers.push(observer);
  }

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    try {
      const result = await this.policy.execute(({ signal }) =>
        this.processor.charge(request, signal),
      );
      this.consecutiveFailures = 0;

      return result;
    } catch (error) {
      this.consecutiveFailures += 1;
      const kind = failureKind(error);
      this.observers.forEach((observer) => observer.chargeFailed?.(kind));
      throw this.translate(error);
    }
  }

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
      return new ProcessorUnavailableError(
        1,
        'The payment processor failed after retries. Retry with the same key.',
        error,
      );
    }

    return error instanceof Error ? error : new Error(String(error));
  }

  private watchBreaker(): void {
    this.breaker.onBreak(() => {
      this.openedAt = Date.now();
      this.logger.warn({ halfOpenAfterMs: RESILIENCE_SETTINGS.halfOpenAfterMs }, 'circuit opened');
    });
    this.breaker.onReset(() => this.logger.log('circuit closed'));
    this.breaker.onHalfOpen(() => this.logger.log('circuit half-open: probing'));
    this.breaker.onStateChange(() => {
      const state = this.circuitState;
      this.observers.forEach((observer) => observer.circuitChanged?.(state));
    });
  }
}
