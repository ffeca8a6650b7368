import type { AppConfig, BucketLimit, LogLevel, WindowLimit } from './config.types.js';
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

function parseDrainDelay(reader: EnvReader, shutdownTimeoutMs: number): number {
  const delayMs = reader.duration('SHUTDOWN_DRAIN_DELAY', '0ms');
  if (delayMs >= shutdownTimeoutMs) {
    const raw = reader.text('SHUTDOWN_DRAIN_DELAY', '0ms');
    throw new ConfigError('SHUTDOWN_DRAIN_DELAY', 'a duration shorter than SHUTDOWN_TIMEOUT', raw);
  }

  return delayMs;
}

/** Reads and validates the whole environment once; throws a ConfigError on the first bad value. */
export function loadConfig(env: Env = process.env): AppConfig {
  const reader = new EnvReader(env);
  const nodeEnv = reader.text('NODE_ENV', 'development');
  const production = nodeEnv === 'production';

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
    },
    simulationEnabled: reader.boolean('ENABLE_SIMULATION', !production),
    processor: {
      latencyMs: reader.duration('PROCESSOR_LATENCY', '20ms'),
      failureRate: reader.fraction('PROCESSOR_FAILURE_RATE', 0),
      timeoutMs: reader.duration('PROCESSOR_TIMEOUT', '2s', 1),
    },
    http: {
      bodyLimitBytes: reader.size('BODY_LIMIT', '16kb'),
      trustProxy: reader.list('TRUST_PROXY'),
      corsOrigins: reader.list('CORS_ORIGINS'),
    },
    audit: { retentionMs: reader.duration('AUDIT_RETENTION', '400d', 86_400_000) },
    shutdownTimeoutMs,
    shutdownDrainDelayMs: parseDrainDelay(reader, shutdownTimeoutMs),
  };
}

/** Settings that production must not run without; returns the complaints, empty when fine. */
export function productionProblems(config: AppConfig): string[] {
  if (!config.production) return [];

  const problems: string[] = [];
  if (config.apiKeys.length === 0) problems.push('API_KEYS must name at least one key');
  if (config.database.url === null) problems.push('DATABASE_URL must point at a PostgreSQL server');
  if (config.apiKeys.some((entry) => entry.key.length < 24)) {
    problems.push('API_KEYS keys must be at least 24 characters in production');
  }

  return problems;
}
