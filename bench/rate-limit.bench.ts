/**
 * `npm run bench:rate-limit`: the cost of the rate-limit guard against an unguarded route and
 * two common alternatives, each a server process of its own (bench/rate-limit.server.ts) on a
 * private redis-server, loaded by autocannon from another process. Prints a Markdown table.
 */
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Redis } from 'ioredis';

import type { BenchCase } from './rate-limit.server.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const REDIS_PORT = 7120;
const REDIS_URL = `redis://127.0.0.1:${REDIS_PORT}`;
const SERVER_PORT = 7121;
const DURATION_S = Number(process.env.BENCH_DURATION ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARMUP_S = 3;
const CONNECTIONS = 50;
const HIGH = '1000000/60s';

interface Scenario {
  id: string;
  label: string;
  server: BenchCase;
  env: Record<string, string>;
}

interface Result {
  scenario: Scenario;
  requestsPerSecond: number;
  p99Ms: number;
  cpuMicrosPerRequest: number;
  redisMicrosPerRequest: number;
  non2xx: number;
}

const LIMITS = {
  RATE_LIMIT_GLOBAL: HIGH,
  RATE_LIMIT_USER: HIGH,
  RATE_LIMIT_IP: HIGH,
  RATE_LIMIT_PAYMENTS: HIGH,
  RATE_LIMIT_BURST: '1000000/s:1000000',
};

const SCENARIOS: Scenario[] = [
  { id: 'a', label: 'unguarded route', server: 'plain', env: LIMITS },
  { id: 'b', label: 'this guard (5 scopes, 1 script call)', server: 'guard', env: LIMITS },
  { id: 'c', label: '@nestjs/throttler, 5 named, Redis storage', server: 'throttler', env: LIMITS },
  { id: 'd', label: '5 rate-limiter-flexible RateLimiterRedis', server: 'flexible', env: LIMITS },
  {
    id: 'e',
    label: 'this guard, flood from one over-limit caller',
    server: 'guard',
    env: { ...LIMITS, RATE_LIMIT_USER: '1/60s' },
  },
];

function ensureBenchDependencies(): void {
  if (existsSync(join(ROOT, 'bench/node_modules/@nest-lab/throttler-storage-redis'))) return;

  process.stderr.write('installing benchmark-only dependencies into bench/node_modules\n');
  const args = ['install', '--prefix', 'bench', '--no-save', '--no-package-lock'];
  const installed = spawnSync('npm', [...args, '--legacy-peer-deps', '--no-audit', '--no-fund'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (installed.status !== 0) throw new Error('npm install --prefix bench failed');
}

function waitForLine(child: ChildProcess, line: string, timeoutMs: number): Promise<void> {
  return new Promise((done, fail) => {
    let seen = '';
    const timer = setTimeout(
      () => fail(new Error(`no "${line}" in ${timeoutMs} ms: ${seen}`)),
      timeoutMs,
    );
    const watch = (chunk: Buffer) => {
      seen += chunk.toString();
      if (!seen.includes(line)) return;
      clearTimeout(timer);
      done();
    };
    child.stdout?.on('data', watch);
    child.stderr?.on('data', (chunk: Buffer) => (seen += chunk.toString()));
    child.once('exit', (code) => fail(new Error(`exited with ${code} before "${line}": ${seen}`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();

  return new Promise((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

async function startRedis(): Promise<{ stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const args = ['--port', String(REDIS_PORT), '--bind', '127.0.0.1', '--save', '', '--dir', dir];
  const child = spawn('redis-server', [...args, '--appendonly', 'no'], { stdio: 'pipe' });
  await waitForLine(child, 'Ready to accept connections', 10_000);

  return {
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function redisCpuMicros(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`${name}:([\\d.]+)`).exec(info)?.[1] ?? 0);

  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1e6;
}

async function cpuMicros(url: string): Promise<number> {
  const usage = (await (await fetch(`${url}/cpu`)).json()) as { user: number; system: number };

  return usage.user + usage.system;
}

interface AutocannonSummary {
  requests: { average: number; total: number };
  latency: { p99: number };
  non2xx: number;
}

function autocannon(url: string, seconds: number): Promise<AutocannonSummary> {
  const bin = join(ROOT, 'node_modules/autocannon/autocannon.js');
  const args = [bin, '--json', '-c', String(CONNECTIONS), '-d', String(seconds), url];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));

  return new Promise((done, fail) => {
    child.once('exit', (code) => {
      if (code === 0) done(JSON.parse(output) as AutocannonSummary);
      else fail(new Error(`autocannon exited with ${code}`));
    });
  });
}

async function measure(scenario: Scenario): Promise<Result> {
  const redis = new Redis(REDIS_URL);
  await redis.flushall();

  const server = spawn(
    process.execPath,
    [join(ROOT, 'dist/bench/rate-limit.server.js'), scenario.server],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...scenario.env,
        PORT: String(SERVER_PORT),
        REDIS_URL,
        LOG_LEVEL: 'error',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  try {
    await waitForLine(server, 'ready', 30_000);
    const base = `http://127.0.0.1:${SERVER_PORT}`;
    const url = `${base}/api/v1/ping`;
    await autocannon(url, WARMUP_S);

    const cpuBefore = await cpuMicros(base);
    const redisBefore = await redisCpuMicros(redis);
    const summary = await autocannon(url, DURATION_S);
    const cpuAfter = await cpuMicros(base);
    const redisAfter = await redisCpuMicros(redis);
    const requests = Math.max(1, summary.requests.total);

    return {
      scenario,
      requestsPerSecond: summary.requests.average,
      p99Ms: summary.latency.p99,
      cpuMicrosPerRequest: (cpuAfter - cpuBefore) / requests,
      redisMicrosPerRequest: (redisAfter - redisBefore) / requests,
      non2xx: summary.non2xx,
    };
  } finally {
    redis.disconnect();
    await stopChild(server);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)];
}

/** Per scenario, the median of each figure over the rounds. */
function medians(rounds: Result[][]): Result[] {
  return SCENARIOS.map((scenario) => {
    const runs = rounds.map((round) => round.find((result) => result.scenario === scenario)!);
    return {
      scenario,
      requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
      p99Ms: median(runs.map((run) => run.p99Ms)),
      cpuMicrosPerRequest: median(runs.map((run) => run.cpuMicrosPerRequest)),
      redisMicrosPerRequest: median(runs.map((run) => run.redisMicrosPerRequest)),
      non2xx: median(runs.map((run) => run.non2xx)),
    };
  });
}

function table(results: Result[]): string {
  const base = results[0];
  const rows = results.map((result) => {
    const { id, label } = result.scenario;
    const ratio = (result.requestsPerSecond / base.requestsPerSecond).toFixed(2);
    const cpuRatio = (result.cpuMicrosPerRequest / base.cpuMicrosPerRequest).toFixed(2);
    return (
      `| (${id}) ${label} | ${Math.round(result.requestsPerSecond)} | ${result.p99Ms} | ` +
      `${Math.round(result.cpuMicrosPerRequest)} | ${Math.round(result.redisMicrosPerRequest)} | ` +
      `${ratio} | ${cpuRatio} | ${result.non2xx} |`
    );
  });

  return [
    '| case | req/s | p99 ms | server CPU µs/req | Redis CPU µs/req | req/s vs (a) | ' +
      'server CPU/req vs (a) | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
}

function verdicts(results: Result[]): string[] {
  const [a, b, c] = results.map((result) => result.requestsPerSecond);

  return [
    `(b) >= 80% of (a): ${b >= 0.8 * a ? 'met' : 'missed'} (${((100 * b) / a).toFixed(0)}%)`,
    `(b) >= 2x (c): ${b >= 2 * c ? 'met' : 'missed'} (${(b / c).toFixed(2)}x)`,
  ];
}

async function main(): Promise<void> {
  ensureBenchDependencies();
  const redis = await startRedis();
  const rounds: Result[][] = [];
  try {
    for (let round = 0; round < ROUNDS; round += 1) {
      const results: Result[] = [];
      for (const scenario of SCENARIOS) {
        process.stderr.write(`round ${round + 1}/${ROUNDS}: (${scenario.id}) ${scenario.label}\n`);
        results.push(await measure(scenario));
      }
      process.stderr.write(`${table(results)}\n`);
      rounds.push(results);
    }
  } finally {
    await redis.stop();
  }

  const summary = medians(rounds);
  const heading = `Medians of ${ROUNDS} rounds, ${DURATION_S} s each, ${CONNECTIONS} connections:`;
  process.stdout.write(`${heading}\n\n${table(summary)}\n\n${verdicts(summary).join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
