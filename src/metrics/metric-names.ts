import { Inject } from '@nestjs/common';

export const METRIC = {
  paymentRequests: 'payment_requests_total',
  paymentSuccessRate: 'payment_success_rate',
  rateLimitExceeded: 'rate_limit_exceeded_total',
  rateLimitDegraded: 'rate_limit_store_degraded',
  idempotentReplays: 'idempotent_replays_total',
  concurrentConflicts: 'concurrent_conflicts_total',
  httpDuration: 'http_request_duration_seconds',
  processorCircuitState: 'processor_circuit_state',
  processorCircuitTransitions: 'processor_circuit_transitions_total',
  processorErrors: 'processor_errors_total',
  auditDropped: 'audit_entries_dropped_total',
  auditBuffered: 'audit_buffer_entries',
  auditWriteFailures: 'audit_write_failures_total',
  auditRetentionDeleted: 'audit_retention_deleted_total',
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
