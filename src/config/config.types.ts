export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface WindowLimit {
  limit: number;
  windowMs: number;
}

export interface BucketLimit {
  refillPerSecond: number;
  capacity: number;
}

export interface RateLimitConfig {
  global: WindowLimit;
  user: WindowLimit;
  ip: WindowLimit;
  payments: WindowLimit;
  burst: BucketLimit;
  failMode: 'open' | 'closed';
  shadowScopes: string[];
}

export interface ProcessorConfig {
  latencyMs: number;
  failureRate: number;
  timeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  breakerThreshold: number;
  breakerHalfOpenMs: number;
}

export interface AppConfig {
  port: number;
  nodeEnv: string;
  production: boolean;
  logLevel: LogLevel;
  database: { url: string | null; dataDir: string; poolSize: number };
  redis: {
    url: string | null;
    clusterNodes: { host: string; port: number }[];
    commandTimeoutMs: number;
    keyPrefix: string;
  };
  apiKeys: { account: string; key: string }[];
  apiKeyCacheTtlMs: number;
  rateLimits: RateLimitConfig;
  idempotency: { ttlMs: number; lockWaitMs: number; lockTtlMs: number; sweepIntervalMs: number };
  simulationEnabled: boolean;
  processor: ProcessorConfig;
  reconcile: { intervalMs: number; graceMs: number };
  /** The policy published to clients at GET /api/v1/retry-config. */
  clientRetry: { maxRetries: number; baseDelayMs: number; maxDelayMs: number };
  http: { bodyLimitBytes: number; trustProxy: string[]; corsOrigins: string[] };
  audit: { retentionMs: number };
  shutdownTimeoutMs: number;
  /** How long readiness reports draining while the instance still serves, before it stops. */
  shutdownDrainDelayMs: number;
}
