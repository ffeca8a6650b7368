import { Global, Module } from '@nestjs/common';
import type { OnModuleInit } from '@nestjs/common';
import {
  PrometheusModule,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import { register } from 'prom-client';
import type { Gauge } from 'prom-client';

import { HttpMetricsMiddleware } from './http-metrics.middleware.js';
import { METRIC } from './metric-names.js';
import { MetricsController } from './metrics.controller.js';
import { PaymentMetrics } from './payment-metrics.service.js';

const paymentMetrics = [
  makeCounterProvider({
    name: METRIC.paymentRequests,
    help: 'Requests to POST /api/v1/payments by outcome (the audit outcome of the request).',
    labelNames: ['outcome'],
  }),
  makeGaugeProvider({
    name: METRIC.paymentSuccessRate,
    help:
      'succeeded / (succeeded + declined + processor unavailable) over charges attempted in ' +
      'the last 5 minutes; NaN when there were none.',
    inject: [PaymentMetrics],
    collect(this: Gauge, payments: PaymentMetrics) {
      this.set(payments.successRate());
    },
  }),
  makeCounterProvider({
    name: METRIC.rateLimitExceeded,
    help: 'Requests over a rate limit, by scope; shadow="true" when only reported.',
    labelNames: ['scope', 'shadow'],
  }),
  makeGaugeProvider({
    name: METRIC.rateLimitDegraded,
    help: '1 while the shared rate-limit store (Redis) is failing and the fail mode applies.',
  }),
  makeCounterProvider({
    name: METRIC.idempotentReplays,
    help: 'Responses replayed from a completed idempotency key.',
  }),
  makeCounterProvider({
    name: METRIC.concurrentConflicts,
    help: 'Requests refused because the same key was in progress (409) or reused (422).',
    labelNames: ['kind'],
  }),
  makeHistogramProvider({
    name: METRIC.httpDuration,
    help: 'HTTP request duration by method, route template and status code.',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  }),
];

const processorMetrics = [
  makeGaugeProvider({
    name: METRIC.processorCircuitState,
    help: 'Processor circuit breaker: 0 closed, 1 half-open (probing), 2 open.',
  }),
  makeCounterProvider({
    name: METRIC.processorCircuitTransitions,
    help: 'Processor circuit breaker state changes, by the state entered.',
    labelNames: ['to'],
  }),
  makeCounterProvider({
    name: METRIC.processorErrors,
    help: 'Charges that failed after retries, by kind (circuit_open, timeout, transient, other).',
    labelNames: ['kind'],
  }),
];

const auditMetrics = [
  makeCounterProvider({
    name: METRIC.auditDropped,
    help: 'Audit entries lost because the write buffer was full or the final flush failed.',
  }),
  makeGaugeProvider({
    name: METRIC.auditBuffered,
    help: 'Audit entries waiting in the write buffer.',
  }),
  makeCounterProvider({
    name: METRIC.auditWriteFailures,
    help: 'Audit batch writes that failed and were kept for a retry.',
  }),
  makeCounterProvider({
    name: METRIC.auditRetentionDeleted,
    help: 'Audit entries deleted by the retention job for being older than AUDIT_RETENTION.',
  }),
];

/**
 * Default metrics that prom-client names with `_total` although they are gauges, which
 * Prometheus reserves for counters (`promtool check metrics` flags them). The same numbers
 * remain available per type in `nodejs_active_handles`, `_requests` and `_resources`.
 */
const MISNAMED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

const providers = [
  { provide: PaymentMetrics, useFactory: () => new PaymentMetrics() },
  HttpMetricsMiddleware,
  ...paymentMetrics,
  ...processorMetrics,
  ...auditMetrics,
];

/** The Prometheus registry at /metrics and every named metric of the service. */
@Global()
@Module({
  imports: [
    PrometheusModule.register({
      path: '/metrics',
      controller: MetricsController,
      defaultMetrics: { enabled: true },
    }),
  ],
  providers,
  exports: providers,
})
export class MetricsModule implements OnModuleInit {
  onModuleInit(): void {
    MISNAMED_DEFAULT_METRICS.forEach((name) => register.removeSingleMetric(name));
  }
}
