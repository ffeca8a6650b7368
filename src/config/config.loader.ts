import { isIP } from 'node:net';

import type {
  AppConfig,
  BucketLimit,
  LogLevel,
  ProcessorConfig,
  WindowLimit,
} from './config.types.js';
import { parseDurationMs, parseSizeBytes } from './durations.js';

type Env = Record<string, string | undefined>;

/** A configuration value that cannot be used; the message names the variable. */
export class ConfigError extends Error {
  constructor(variable: string, expected: string, actual: string) {
    super(`${variable}=${JSON.stringify(actual)} is invalid: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const SCOPE_NAMES = ['global', 'user', 'ip', 'endpoint', 'burst'];
const NODE_ENVS = ['development', 'test', 'production'] as const;
/** Express's names for address ranges, accepted in TRUST_PROXY beside addresses and CIDRs. */
const PROXY_RANGE_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const MIN_PRODUCTION_KEY_LENGTH = 24;
const MIN_PRODUCTION_KEY_DISTINCT = 10;

class EnvReader {
  constructor(private readonly env: Env) {}

  text(name: string, fallback: string): string {
    const value = this.env[name];

    return value === undefined || value === '' ? fallback : value;
  }

  optional(name: string): string | null {
    const value = this.env[name];

    return value === undefined || value === '' ? null : value;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.text(name, String(fallback));
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      throw new ConfigError(name, `a whole number from ${min} to ${max}`, raw);
    }

    return value;
  }

  fraction(name: string, fallback: number): number {
    const raw = this.text(name, String(fallback));
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new ConfigError(name, 'a number from 0 to 1', raw);
    }

    return value;
  }

  duration(name: string, fallback: string, minMs = 0): number {
    const raw = this.text(name, fallback);
    const value = parseDurationMs(raw);
    if (value === null || value < minMs) {
      throw new ConfigError(name, `a duration such as 250ms, 5s, 10m, 24h or 400d`, raw);
    }

    return value;
  }

  size(name: string, fallback: string): number {
    const raw = this.text(name, fallback);
    const value = parseSizeBytes(raw);
    if (value === null || value < 64) {
      throw new ConfigError(name, 'a size of at least 64 bytes such as 16kb or 1mb', raw);
    }

    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.text(name, fallback ? 'true' : 'false').toLowerCase();
    if (['true', '1', 'on', 'yes'].includes(raw)) return true;
    if (['false', '0', 'off', 'no'].includes(raw)) return false;

    throw new ConfigError(name, 'true or false', raw);
  }

  list(name: string): string[] {
    return (this.optional(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0);
  }

  choice<T extends string>(name: string, fallback: T, choices: readonly T[]): T {
    const raw = this.text(name, fallback);
    if (!choices.includes(raw as T)) {
      throw new ConfigError(name, `one of ${choices.join(', ')}`, raw);
    }

    return raw as T;
  }

  windowLimit(name: string, fallback: string): WindowLimit {
    const raw = this.text(name, fallback);
    const match = /^(\d+)\/(.+)$/.exec(raw.trim());
    const windowMs = match
      ? parseDurationMs(/^\d/.test(match[2]) ? match[2] : `1${match[2]}`)
      : null;
    const limit = match ? Number(match[1]) : 0;
    if (!match || windowMs === null || windowMs < 1000 || limit < 1 || limit > 1_000_000) {
      throw new ConfigError(name, 'limit/window such as 100/60s (limit >= 1, window >= 1s)', raw);
    }

    return { limit, windowMs };
  }

  bucketLimit(name: string, fallback: string): BucketLimit {
    const raw = this.text(name, fallback);
    const match = /^(\d+)\/s:(\d+)$/.exec(raw.trim());
    const refillPerSecond = match ? Number(match[1]) : 0;
    const capacity = match ? Number(match[2]) : 0;
    if (!match || refillPerSecond < 1 || capacity < 1 || capacity > 1_000_000) {
      throw new ConfigError(name, 'refill/s:capacity such as 20/s:50', raw);
    }

    return { refillPerSecond, capacity };
  }
}

function parseApiKeys(reader: EnvReader): { account: string; key: string }[] {
  return reader.list('API_KEYS').map((entry) => {
    const separator = entry.indexOf(':');
    const account = entry.slice(0, separator);
    const key = entry.slice(separator + 1);
    if (separator < 1 || !/^[A-Za-z0-9._-]{1,64}$/.test(account) || key.length < 12) {
      throw new ConfigError(
        'API_KEYS',
        'account:key,... with keys of at least 12 characters',
        '***',
      );
    }

    return { account, key };
  });
}

function parseClusterNodes(reader: EnvReader): { host: string; port: number }[] {
  return reader.list('REDIS_CLUSTER_NODES').map((node) => {
    const match = /^([^:]+):(\d{1,5})$/.exec(node);
    if (!match) throw new ConfigError('REDIS_CLUSTER_NODES', 'host:port,...', node);

    return { host: match[1], port: Number(match[2]) };
  });
}

function parseShadowScopes(reader: EnvReader): string[] {
  const scopes = reader.list('RATE_LIMIT_SHADOW');
  const unknown = scopes.find((scope) => !SCOPE_NAMES.includes(scope));
  if (unknown) {
    throw new ConfigError('RATE_LIMIT_SHADOW', `scopes among ${SCOPE_NAMES.join(', ')}`, unknown);
  }

  return scopes;
}

function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.includes(entry) || isIP(entry) !== 0) return true;

  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  const maxPrefix = family === 6 ? 128 : 32;

  return (
    rest.length === 0 &&
    family !== 0 &&
    /^\d{1,3}$/.test(prefix ?? '') &&
    Number(prefix) <= maxPrefix
  );
}

/** Express would otherwise fail at startup with a bare "invalid IP address" naming nothing. */
function parseTrustProxy(reader: EnvReader): string[] {
  const entries = reader.list('TRUST_PROXY');
  const invalid = entries.find((entry) => !isProxyAddress(entry));
  if (invalid !== undefined) {
    throw new ConfigError(
      'TRUST_PROXY',
      `IP addresses or CIDR ranges (or ${PROXY_RANGE_NAMES.join(', ')}), comma-separated`,
      invalid,
    );
  }

  return entries;
}

/** An origin never has a path: `https://shop.example/` would silently match no browser. */
function parseCorsOrigins(reader: EnvReader): string[] {
  const origins = reader.list('CORS_ORIGINS');
  const invalid = origins.find((origin) => {
    try {
      const url = new URL(origin);
      return url.origin !== origin || !['http:', 'https:'].includes(url.protocol);
    } catch {
      return true;
    }
  });
  if (invalid !== undefined) {
    throw new ConfigError(
      'CORS_ORIGINS',
      'origins such as https://shop.example, comma-separated',
      invalid,
    );
  }

  return origins;
}

function parseUrl(reader: EnvReader, name: string, protocols: string[]): string | null {
  const raw = reader.optional(name);
  if (raw === null) return null;

  let protocol = '';
  try {
    protocol = new URL(raw).protocol;
  } catch {
    protocol = '';
  }
  if (!protocols.includes(protocol)) {
    throw new ConfigError(name, `a URL starting with ${protocols.join(' or ')}//`, '(hidden)');
  }

  return raw;
}

function parseProcessor(reader: EnvReader): ProcessorConfig {
  const retryBaseDelayMs = reader.duration('PROCESSOR_RETRY_BASE_DELAY', '50ms');
  const retryMaxDelayMs = reader.duration('PROCESSOR_RETRY_MAX_DELAY', '1s');
  if (retryMaxDelayMs < retryBaseDelayMs) {
    throw new ConfigError(
      'PROCESSOR_RETRY_MAX_DELAY',
      'a duration at least PROCESSOR_RETRY_BASE_DELAY',
      reader.text('PROCESSOR_RETRY_MAX_DELAY', '1s'),
    );
  }

  return {
    latencyMs: reader.duration('PROCESSOR_LATENCY', '20ms'),
    failureRate: reader.fraction('PROCESSOR_FAILURE_RATE', 0),
    timeoutMs: reader.duration('PROCESSOR_TIMEOUT', '2s', 1),
    maxRetries: reader.integer('PROCESSOR_MAX_RETRIES', 2, 0, 10),
    retryBaseDelayMs,
    retryMaxDelayMs,
    breakerThreshold: reader.integer('PROCESSOR_BREAKER_THRESHOLD', 5, 1, 1000),
    breakerHalfOpenMs: reader.duration('PROCESSOR_BREAKER_HALF_OPEN', '10s', 100),
  };
}

/**
 * The longest one processor call can take with all its retries. A pending payment younger than
 * this may still be in flight, so reconciliation leaves it alone.
 */
export function processorCallBudgetMs(processor: ProcessorConfig): number {
  const attempts = processor.maxRetries + 1;

  return attempts * processor.timeoutMs + processor.maxRetries * processor.retryMaxDelayMs;
}

function parseReconcile(reader: EnvReader, processor: ProcessorConfig): AppConfig['reconcile'] {
  const graceMs = reader.duration('RECONCILE_GRACE', '60s');
  const budgetMs = processorCallBudgetMs(processor);
  if (graceMs <= budgetMs) {
    throw new ConfigError(
      'RECONCILE_GRACE',
      `a duration longer than the processor's longest call with retries (${budgetMs}ms)`,
      reader.text('RECONCILE_GRACE', '60s'),
    );
  }

  return { intervalMs: reader.duration('RECONCILE_INTERVAL', '5s', 100), graceMs };
}

function parseDrainDelay(reader: EnvReader, shutdownTimeoutMs: number): number {
  const delayMs = reader.duration('SHUTDOWN_DRAIN_DELAY', '0ms');
  if (delayMs >= shutdownTimeoutMs) {
    const raw = reader.text('SHUTDOWN_DRAIN_DELAY', '0ms');
    throw new ConfigError('SHUTDOWN_DRAIN_DELAY', 'a duration shorter than SHUTDOWN_TIMEOUT', raw);
  }

  return delayMs;
}

function parseClientRetry(reader: EnvReader): AppConfig['clientRetry'] {
  const baseDelayMs = reader.duration('CLIENT_RETRY_BASE_DELAY', '100ms', 1);
  const maxDelayMs = reader.duration('CLIENT_RETRY_MAX_DELAY', '5s', 1);
  if (maxDelayMs < baseDelayMs) {
    const raw = reader.text('CLIENT_RETRY_MAX_DELAY', '5s');
    throw new ConfigError(
      'CLIENT_RETRY_MAX_DELAY',
      'a duration at least CLIENT_RETRY_BASE_DELAY',
      raw,
    );
  }

  return { maxRetries: reader.integer('CLIENT_RETRY_MAX', 5, 0, 20), baseDelayMs, maxDelayMs };
}

/** Reads and validates the whole environment once; throws a ConfigError on the first bad value. */
export function loadConfig(env: Env = process.env): AppConfig {
  const reader = new EnvReader(env);
  const nodeEnv = reader.choice('NODE_ENV', 'development', NODE_ENVS);
  const production = nodeEnv === 'production';
  const processor = parseProcessor(reader);

  const shutdownTimeoutMs = reader.duration('SHUTDOWN_TIMEOUT', '10s', 100);

  return {
    port: reader.integer('PORT', 8000, 0, 65535),
    nodeEnv,
    production,
    logLevel: reader.choice('LOG_LEVEL', 'info', LOG_LEVELS),
    database: {
      url: parseUrl(reader, 'DATABASE_URL', ['postgres:', 'postgresql:']),
      dataDir: reader.text('DATA_DIR', './.data'),
      poolSize: reader.integer('DATABASE_POOL_SIZE', 20, 1, 500),
    },
    redis: {
      url: parseUrl(reader, 'REDIS_URL', ['redis:', 'rediss:']),
      clusterNodes: parseClusterNodes(reader),
      commandTimeoutMs: reader.duration('REDIS_COMMAND_TIMEOUT', '250ms', 10),
      keyPrefix: reader.text('REDIS_KEY_PREFIX', 'pay:'),
    },
    apiKeys: parseApiKeys(reader),
    apiKeyCacheTtlMs: reader.duration('API_KEY_CACHE_TTL', '5s'),
    rateLimits: {
      global: reader.windowLimit('RATE_LIMIT_GLOBAL', '1000/60s'),
      user: reader.windowLimit('RATE_LIMIT_USER', '100/60s'),
      ip: reader.windowLimit('RATE_LIMIT_IP', '300/60s'),
      payments: reader.windowLimit('RATE_LIMIT_PAYMENTS', '10/60s'),
      burst: reader.bucketLimit('RATE_LIMIT_BURST', '20/s:50'),
      failMode: reader.choice('RATE_LIMIT_FAIL_MODE', 'open', ['open', 'closed'] as const),
      shadowScopes: parseShadowScopes(reader),
    },
    idempotency: {
      ttlMs: reader.duration('IDEMPOTENCY_TTL', '24h', 1000),
      lockWaitMs: reader.duration('IDEMPOTENCY_LOCK_WAIT', '5s'),
      lockTtlMs: reader.duration('IDEMPOTENCY_LOCK_TTL', '30s', 100),
      sweepIntervalMs: reader.duration('IDEMPOTENCY_SWEEP_INTERVAL', '60s', 100),
    },
    simulationEnabled: reader.boolean('ENABLE_SIMULATION', !production),
    processor,
    reconcile: parseReconcile(reader, processor),
    clientRetry: parseClientRetry(reader),
    http: {
      bodyLimitBytes: reader.size('BODY_LIMIT', '16kb'),
      trustProxy: parseTrustProxy(reader),
      corsOrigins: parseCorsOrigins(reader),
    },
    audit: { retentionMs: reader.duration('AUDIT_RETENTION', '400d', 86_400_000) },
    shutdownTimeoutMs,
    shutdownDrainDelayMs: parseDrainDelay(reader, shutdownTimeoutMs),
  };
}

function isWeakKey(key: string): boolean {
  return key.length < MIN_PRODUCTION_KEY_LENGTH || new Set(key).size < MIN_PRODUCTION_KEY_DISTINCT;
}

/** Settings that production must not run without; returns the complaints, empty when fine. */
export function productionProblems(config: AppConfig): string[] {
  if (!config.production) return [];

  const problems: string[] = [];
  if (config.apiKeys.length === 0) problems.push('API_KEYS must name at least one key');
  if (config.database.url === null) problems.push('DATABASE_URL must point at a PostgreSQL server');
  if (config.apiKeys.some((entry) => isWeakKey(entry.key))) {
    problems.push(
      `API_KEYS keys must be at least ${MIN_PRODUCTION_KEY_LENGTH} characters with at least ` +
        `${MIN_PRODUCTION_KEY_DISTINCT} different ones in production`,
    );
  }
  if (config.simulationEnabled) {
    problems.push('ENABLE_SIMULATION must be off in production (forced outcomes are test tools)');
  }

  return problems;
}
