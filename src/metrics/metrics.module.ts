import { Global, Module } from '@nestjs/common';
import {
  PrometheusModule,
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';

import { METRIC } from './metric-names.js';

const providers = [
  makeCounterProvider({
    name: METRIC.paymentRequests,
    help: 'Payment creation attempts by outcome.',
    labelNames: ['outcome'],
  }),
  makeGaugeProvider({
    name: METRIC.paymentSuccessRate,
    help: 'Share of processor charges that succeeded among those settled since start (0-1).',
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

/** The Prometheus registry at /metrics and every named metric of the service. */
@Global()
@Module({
  imports: [PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true } })],
  providers,
  exports: providers,
})
export class MetricsModule {}
