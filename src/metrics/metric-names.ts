export const METRIC = {
  paymentRequests: 'payment_requests_total',
  paymentSuccessRate: 'payment_success_rate',
  rateLimitExceeded: 'rate_limit_exceeded_total',
  idempotentReplays: 'idempotent_replays_total',
  concurrentConflicts: 'concurrent_conflicts_total',
  httpDuration: 'http_request_duration_seconds',
} as const;
