import type { AppConfig } from '../config/config.types.js';

/** How the service calls its processor: timeout, retries with backoff, circuit breaker. */
export interface ResilienceSettings {
  /** Retries after the first attempt, for transient failures only. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Consecutive failures that open the circuit. */
  breakerThreshold: number;
  /** How long the circuit stays open before one probe is let through. */
  halfOpenAfterMs: number;
  /** How long one attempt may take before its outcome is unknown. */
  timeoutMs: number;
}

/**
 * The defaults, as shipped. The live values come from the environment: read them with
 * {@link resilienceSettings} (or `ResilientProcessor.settings`), not from this constant.
 */
export const RESILIENCE_SETTINGS: Readonly<ResilienceSettings> = Object.freeze({
  maxRetries: 2,
  baseDelayMs: 50,
  maxDelayMs: 1000,
  breakerThreshold: 5,
  halfOpenAfterMs: 10_000,
  timeoutMs: 2000,
});

/** The live settings, from the validated configuration (PROCESSOR_* variables). */
export function resilienceSettings(config: Pick<AppConfig, 'processor'>): ResilienceSettings {
  const processor = config.processor;

  return {
    maxRetries: processor.maxRetries,
    baseDelayMs: processor.retryBaseDelayMs,
    maxDelayMs: processor.retryMaxDelayMs,
    breakerThreshold: processor.breakerThreshold,
    halfOpenAfterMs: processor.breakerHalfOpenMs,
    timeoutMs: processor.timeoutMs,
  };
}

/** The upper bound of the delay before retry `retry` (0 for the first): capped exponential. */
export function backoffCeilingMs(retry: number, settings: ResilienceSettings): number {
  return Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** retry);
}

/** "Full jitter": a uniform delay in [0, ceiling), so retrying callers spread out. */
export function fullJitterDelayMs(
  retry: number,
  settings: ResilienceSettings,
  random: () => number = Math.random,
): number {
  return random() * backoffCeilingMs(retry, settings);
}
