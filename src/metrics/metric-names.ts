import { Inject } from '@nestjs/common';

export const METRIC = {
  paymentRequests: 'payment_requests_total',
  paymentSuccessRate: 'payment_success_rate',
  rateLimitExceeded: 'rate_limit_exceeded_total',
  rateLimitDegraded: 'rate_limit_store_degraded',
  idempotentReplays: 'idempotent_replays_total',
  concurrentConflicts: 'concurrent_conflicts_total',
  httpDuration: 'http_request_duration_seconds',
} as const;

/**
 * The injection token @willsoto/nestjs-prometheus gives a metric. Feature code injects by this
 * token so that only the metrics module loads that CommonJS package.
 */
export function metricToken(name: string): string {
  return `PROM_METRIC_${name.toUpperCase()}`;
}

/** Injects the metric registered under `name` by the metrics module. */
export const InjectMetric = (name: string) => Inject(metricToken(name));
