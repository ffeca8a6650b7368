import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { benchDatabase } from './harness/database.js';
import { deleteKeysWithPrefix } from './harness/redis-keys.js';
import { measure } from './harness/load.js';
import type { LoadSpec, Measurement } from './harness/load.js';
import { markdownTable, writeReport } from './harness/report.js';
import type { Row } from './harness/report.js';
import { startServer } from './harness/server-process.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const BENCH_KEYS = { REDIS_KEY_PREFIX: `bench:${randomUUID().slice(0, 8)}:` };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const AUTH = { authorization: 'Bearer test-api-key' };
const BODY = { amount: 19.99, currency: 'USD', payment_method: 'credit_card' };
const UNLIMITED = {
  RATE_LIMIT_GLOBAL: '1000000/60s',
  RATE_LIMIT_USER: '1000000/60s',
  RATE_LIMIT_IP: '1000000/60s',
  RATE_LIMIT_PAYMENTS: '1000000/60s',
  RATE_LIMIT_BURST: '100000/s:1000000',
};

const SCENARIOS: { name: string; spec: LoadSpec; baseline?: string; target?: number }[] = [
  { name: 'unguarded route', spec: { method: 'GET', path: '/bench/unguarded' } },
  {
    name: 'bare payment transaction',
    spec: { method: 'POST', path: '/bench/bare-payment', body: BODY },
  },
  {
    name: 'first payments',
    spec: {
      method: 'POST',
      path: '/api/v1/payments',
      headers: AUTH,
      body: BODY,
      perRequestHeaders: () => ({ 'idempotency-key': `bench-${randomUUID()}` }),
    },
    baseline: 'bare payment transaction',
    target: 0.6,
  },
  {
    name: 'replays',
    spec: {
      method: 'POST',
      path: '/api/v1/payments',
      headers: { ...AUTH, 'idempotency-key': 'bench-replay-key-0000000001' },
      body: BODY,
    },
    baseline: 'unguarded route',
    target: 0.7,
  },
];

/** Runs every scenario in interleaved rounds against one server; returns the table. */
async function benchPayments(label: string, env: Record<string, string | undefined>) {
  const server = await startServer(resolve(HERE, 'harness/bench-server.js'), {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    PROCESSOR_LATENCY: '0ms',
    DATA_DIR: 'memory://',
    ...UNLIMITED,
    ...env,
  });
  const rounds = new Map<string, Measurement[]>(SCENARIOS.map((s) => [s.name, []]));
  try {
    for (const scenario of SCENARIOS) await measure(server, scenario.spec, 2);
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const scenario of SCENARIOS) {
        rounds.get(scenario.name)!.push(await measure(server, scenario.spec, SECONDS));
        process.stderr.write(`  ${label}: round ${round + 1}/${ROUNDS} ${scenario.name}\n`);
      }
    }
  } finally {
    await server.stop();
  }

  const rows: Row[] = SCENARIOS.map((s) => ({ ...s, rounds: rounds.get(s.name)! }));

  return markdownTable(`Payments: ${label}`, rows);
}

/** The bare framework ceiling, measured in the same run as the service. */
async function benchBareCeiling(): Promise<string> {
  const server = await startServer(
    resolve(HERE, 'harness/bare-server.js'),
    {},
    {
      probePath: '/',
    },
  );
  const rounds: Measurement[] = [];
  try {
    await measure(server, { method: 'GET', path: '/' }, 2);
    for (let round = 0; round < ROUNDS; round += 1) {
      rounds.push(await measure(server, { method: 'GET', path: '/' }, SECONDS));
    }
  } finally {
    await server.stop();
  }

  return markdownTable('The framework alone', [{ name: 'bare NestJS route', rounds }]);
}

async function main(): Promise<void> {
  const sections: string[] = [await benchBareCeiling()];
  const database = await benchDatabase(process.env.DATABASE_URL);
  try {
    if (database.url) {
      const env = { DATABASE_URL: database.url, REDIS_URL: process.env.REDIS_URL, ...BENCH_KEYS };
      sections.push(await benchPayments('PostgreSQL and Redis', env));
    }
    sections.push(
      await benchPayments('embedded defaults', { DATABASE_URL: undefined, REDIS_URL: undefined }),
    );
  } finally {
    await database.drop();
    if (process.env.REDIS_URL)
      await deleteKeysWithPrefix(process.env.REDIS_URL, BENCH_KEYS.REDIS_KEY_PREFIX);
  }

  const report = sections.join('\n\n');
  writeReport(resolve(HERE, '../../bench/results/payments.md'), report);
  process.stdout.write(`${report}\n`);
}

void main();
