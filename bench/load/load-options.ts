import { parseArgs } from 'node:util';

import { UsageError, durationOption, integerOption } from '../harness/cli-options.js';

export interface LoadOptions {
  /** Requests started per second, whatever the answers' latency (an open loop). */
  rate: number;
  durationMs: number;
  instances: number;
  accounts: number;
  /** How long one request may take before it counts as hung. */
  timeoutMs: number;
  /** Requests in flight at most; a request due while the cap is reached is skipped. */
  maxInFlight: number;
  soak: boolean;
  /** Memory samples start after this; the soak verdict compares the first and last samples. */
  warmupMs: number;
  sampleEveryMs: number;
  /** The largest RSS growth a soak accepts, as a fraction (0.1: 10%). */
  maxGrowth: number;
}

export const LOAD_USAGE = `usage: npm run load -- [options]
  --rate <n>            requests per second (default 50)
  --duration <time>     how long to send, e.g. 60s, 5m (default 60s; 10m with --soak)
  --instances <n>       service instances (default 1; more need DATABASE_URL and REDIS_URL)
  --accounts <n>        accounts, each with its own API key (default 4)
  --timeout <time>      a request slower than this is hung (default 10s)
  --max-in-flight <n>   requests in flight at most (default 200)
  --soak                memory soak: sample RSS after a warm-up, fail on growth over 10%
  --warmup <time>       soak warm-up before the first sample (default 60s, at most 1/5 of the run)`;

const MAX_DURATION_MS = 2 * 3_600_000;

/** Parses `npm run load -- ...`; throws UsageError with the reason on a bad option. */
export function parseLoadOptions(argv: string[]): LoadOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      rate: { type: 'string', default: '50' },
      duration: { type: 'string' },
      instances: { type: 'string', default: '1' },
      accounts: { type: 'string', default: '4' },
      timeout: { type: 'string', default: '10s' },
      'max-in-flight': { type: 'string', default: '200' },
      soak: { type: 'boolean', default: false },
      warmup: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new UsageError(LOAD_USAGE);

  const soak = values.soak;
  const durationMs = durationOption(
    'duration',
    values.duration ?? (soak ? '10m' : '60s'),
    1000,
    MAX_DURATION_MS,
  );
  const warmupMs = values.warmup
    ? durationOption('warmup', values.warmup, 0, durationMs / 2)
    : Math.min(60_000, durationMs / 5);

  return {
    rate: integerOption('rate', values.rate, 1, 5000),
    durationMs,
    instances: integerOption('instances', values.instances, 1, 8),
    accounts: integerOption('accounts', values.accounts, 1, 100),
    timeoutMs: durationOption('timeout', values.timeout, 100, 120_000),
    maxInFlight: integerOption('max-in-flight', values['max-in-flight'], 1, 10_000),
    soak,
    warmupMs,
    sampleEveryMs: 5000,
    maxGrowth: 0.1,
  };
}
