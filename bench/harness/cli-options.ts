import { parseDurationMs } from '../../src/config/durations.js';

/** A command-line mistake; the runner prints its message and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** `--name 90s`: a duration such as 500ms, 90s or 10m, within [minMs, maxMs]. */
export function durationOption(name: string, text: string, minMs: number, maxMs: number): number {
  const value = parseDurationMs(text);
  if (value === null || value < minMs || value > maxMs) {
    throw new UsageError(`--${name} ${text}: expected a duration from ${minMs}ms to ${maxMs}ms`);
  }

  return value;
}

/** `--name 50`: a whole number within [min, max]. */
export function integerOption(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name} ${text}: expected a whole number from ${min} to ${max}`);
  }

  return value;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)}s`;
}
