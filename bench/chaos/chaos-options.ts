import { parseArgs } from 'node:util';

import { UsageError, durationOption, integerOption } from '../harness/cli-options.js';

export interface ChaosOptions {
  durationMs: number;
  concurrency: number;
  accounts: number;
  instances: number;
  /** The first port tried for the run's PostgreSQL, Redis and instances. */
  portBase: number;
  /** Keep the work folder (data, logs) for inspection instead of deleting it. */
  keep: boolean;
}

export const CHAOS_USAGE = `usage: npm run chaos -- [options]
  --duration <time>     how long to drive payments and inject faults (default 120s, min 45s)
  --concurrency <n>     logical payments in flight (default 16)
  --accounts <n>        accounts, each with its own API key (default 3)
  --port-base <port>    first port tried for PostgreSQL, Redis and 3 instances
                        (default CHAOS_PORT_BASE or 7250)
  --keep                keep the work folder (data directory, logs) afterwards`;

/** Parses `npm run chaos -- ...`; throws UsageError with the reason on a bad option. */
export function parseChaosOptions(argv: string[]): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '120s' },
      concurrency: { type: 'string', default: '16' },
      accounts: { type: 'string', default: '3' },
      'port-base': { type: 'string', default: process.env.CHAOS_PORT_BASE ?? '7250' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new UsageError(CHAOS_USAGE);

  return {
    durationMs: durationOption('duration', values.duration, 45_000, 3_600_000),
    concurrency: integerOption('concurrency', values.concurrency, 1, 200),
    accounts: integerOption('accounts', values.accounts, 1, 50),
    instances: 3,
    portBase: integerOption('port-base', values['port-base'], 1024, 65_000),
    keep: values.keep,
  };
}
