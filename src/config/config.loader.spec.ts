import { ConfigError, loadConfig, productionProblems } from './config.loader.js';
import { parseDurationMs, parseSizeBytes } from './durations.js';

const STRONG_KEY = 'Zq7-pX2m_Lr9tVw4Kc8sNd5B';
const PRODUCTION = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://db.internal:5432/payments',
  API_KEYS: `acct-1:${STRONG_KEY}`,
};

function errorFor(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('reads the documented defaults from an empty environment', () => {
    const config = loadConfig({});

    expect(config).toEqual(
      expect.objectContaining({ port: 8000, nodeEnv: 'development', production: false }),
    );
    expect(config.rateLimits.user).toEqual({ limit: 100, windowMs: 60_000 });
    expect(config.rateLimits.burst).toEqual({ refillPerSecond: 20, capacity: 50 });
    expect(config.http).toEqual({ bodyLimitBytes: 16 * 1024, trustProxy: [], corsOrigins: [] });
    expect(config.idempotency).toEqual({
      ttlMs: 86_400_000,
      lockWaitMs: 5000,
      lockTtlMs: 30_000,
      sweepIntervalMs: 60_000,
    });
    expect(config.simulationEnabled).toBe(true);
    expect(config.processor.failureRate).toBe(0);
  });

  it.each([
    ['PORT', 'abc', 'a whole number from 0 to 65535'],
    ['PORT', '70000', 'a whole number from 0 to 65535'],
    ['RATE_LIMIT_USER', 'abc', 'limit/window such as 100/60s'],
    ['RATE_LIMIT_GLOBAL', '0/60s', 'limit/window'],
    ['RATE_LIMIT_IP', '100/0s', 'limit/window'],
    ['RATE_LIMIT_BURST', '20', 'refill/s:capacity such as 20/s:50'],
    ['RATE_LIMIT_FAIL_MODE', 'half', 'one of open, closed'],
    ['RATE_LIMIT_SHADOW', 'everything', 'scopes among global, user, ip, endpoint, burst'],
    ['PROCESSOR_FAILURE_RATE', '2', 'a number from 0 to 1'],
    ['PROCESSOR_FAILURE_RATE', 'often', 'a number from 0 to 1'],
    ['PROCESSOR_LATENCY', '20', 'a duration such as 250ms'],
    ['IDEMPOTENCY_TTL', 'a day', 'a duration such as 250ms'],
    ['BODY_LIMIT', '10', 'a size of at least 64 bytes'],
    ['BODY_LIMIT', '16 KiB', 'a size of at least 64 bytes'],
    ['LOG_LEVEL', 'verbose', 'one of debug, info, warn, error, silent'],
    ['NODE_ENV', 'prod', 'one of development, test, production'],
    ['ENABLE_SIMULATION', 'maybe', 'true or false'],
    ['REDIS_CLUSTER_NODES', 'redis-1', 'host:port,...'],
    ['TRUST_PROXY', 'proxy.internal', 'IP addresses or CIDR ranges'],
    ['TRUST_PROXY', '10.0.0.0/33', 'IP addresses or CIDR ranges'],
    ['CORS_ORIGINS', 'https://shop.example/', 'origins such as https://shop.example'],
    ['CORS_ORIGINS', 'shop.example', 'origins such as https://shop.example'],
    ['AUDIT_RETENTION', '1h', 'a duration'],
  ])('stops on %s=%s, naming it and what it expects', (variable, value, expected) => {
    const error = errorFor({ [variable]: value });

    expect(error.message).toContain(`${variable}=${JSON.stringify(value)}`);
    expect(error.message).toContain(`expected ${expected}`);
  });

  it.each([
    ['DATABASE_URL', 'mysql://user:secret@db/payments', 'postgres:'],
    ['REDIS_URL', 'http://user:secret@cache:6379', 'redis:'],
  ])('names %s but never echoes its value (it may hold a password)', (variable, value, scheme) => {
    const error = errorFor({ [variable]: value });

    expect(error.message).toContain(variable);
    expect(error.message).toContain(scheme);
    expect(error.message).not.toContain('secret');
  });

  it.each(['no-separator-here-at-all', 'acct:short', ':missing-account-name'])(
    'refuses API_KEYS entry %s without echoing any key',
    (entry) => {
      const error = errorFor({ API_KEYS: entry });

      expect(error.message).toContain('API_KEYS');
      expect(error.message).toContain('at least 12 characters');
      expect(error.message).not.toContain(entry);
    },
  );

  it('accepts addresses, CIDR ranges and named ranges in TRUST_PROXY', () => {
    const config = loadConfig({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8,::1, fd00::/8,loopback' });

    expect(config.http.trustProxy).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'fd00::/8',
      'loopback',
    ]);
  });

  it('accepts origins with ports in CORS_ORIGINS', () => {
    const config = loadConfig({ CORS_ORIGINS: 'https://shop.example,http://localhost:3000' });

    expect(config.http.corsOrigins).toEqual(['https://shop.example', 'http://localhost:3000']);
  });

  it('reads limits, sizes and durations in their documented forms', () => {
    const config = loadConfig({
      RATE_LIMIT_USER: '100000/60s',
      RATE_LIMIT_PAYMENTS: '5/m',
      RATE_LIMIT_BURST: '10000/s:10000',
      BODY_LIMIT: '1mb',
      IDEMPOTENCY_LOCK_WAIT: '250ms',
    });

    expect(config.rateLimits.user).toEqual({ limit: 100_000, windowMs: 60_000 });
    expect(config.rateLimits.payments).toEqual({ limit: 5, windowMs: 60_000 });
    expect(config.rateLimits.burst).toEqual({ refillPerSecond: 10_000, capacity: 10_000 });
    expect(config.http.bodyLimitBytes).toBe(1024 * 1024);
    expect(config.idempotency.lockWaitMs).toBe(250);
  });
});

describe('productionProblems', () => {
  it('has nothing to say outside production', () => {
    expect(productionProblems(loadConfig({}))).toEqual([]);
  });

  it('accepts a complete production configuration', () => {
    const config = loadConfig(PRODUCTION);

    expect(config.simulationEnabled).toBe(false);
    expect(productionProblems(config)).toEqual([]);
  });

  it('names API_KEYS and DATABASE_URL when they are missing', () => {
    const problems = productionProblems(loadConfig({ NODE_ENV: 'production' }));

    expect(problems.join('\n')).toMatch(/API_KEYS must name at least one key/);
    expect(problems.join('\n')).toMatch(/DATABASE_URL must point at a PostgreSQL server/);
  });

  it.each([
    ['shorter than 24 characters', 'only-twenty-chars-long'],
    ['24 characters of too few kinds', 'abababababababababababab'],
  ])('refuses a key %s', (_what, key) => {
    const problems = productionProblems(loadConfig({ ...PRODUCTION, API_KEYS: `acct-1:${key}` }));

    expect(problems).toEqual([expect.stringMatching(/^API_KEYS keys must be at least 24/)]);
  });

  it('refuses ENABLE_SIMULATION=true', () => {
    const problems = productionProblems(loadConfig({ ...PRODUCTION, ENABLE_SIMULATION: 'true' }));

    expect(problems).toEqual([expect.stringMatching(/^ENABLE_SIMULATION must be off/)]);
  });
});

describe('durations and sizes', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['1.5s', 1500],
    ['10m', 600_000],
    ['24h', 86_400_000],
    ['400d', 34_560_000_000],
    ['5', null],
    ['-5s', null],
    ['5 s', null],
  ])('parses the duration %s', (text, expected) => {
    expect(parseDurationMs(text)).toBe(expected);
  });

  it.each([
    ['16kb', 16_384],
    ['1MB', 1_048_576],
    ['512', 512],
    ['512b', 512],
    ['1.5kb', null],
    ['lots', null],
  ])('parses the size %s', (text, expected) => {
    expect(parseSizeBytes(text)).toBe(expected);
  });
});
