import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { UsageError } from './harness/cli-options.js';
import { Cleanup } from './harness/cleanup.js';
import { benchDatabase } from './harness/database.js';
import { checkLedger } from './harness/ledger-check.js';
import { ProgressLine } from './harness/progress.js';
import { deleteKeysWithPrefix } from './harness/redis-keys.js';
import { startServer } from './harness/server-process.js';
import type { ServerProcess } from './harness/server-process.js';
import { embeddedReader, serverReader } from './harness/sql.js';
import type { SqlReader } from './harness/sql.js';
import { LOAD_USAGE, parseLoadOptions } from './load/load-options.js';
import type { LoadOptions } from './load/load-options.js';
import { loadChecks, loadSummary, progressLine } from './load/load-report.js';
import { LoadRun } from './load/load-run.js';
import { MemoryWatch } from './load/memory-watch.js';
import { KINDS, apiKeysEnv, limitsFor, makeAccounts } from './load/traffic-mix.js';
import type { LoadAccount, RequestKind } from './load/traffic-mix.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SERVICE = resolve(HERE, '../src/main.js');
const LOG_TAIL_LINES = 30;

/** Where this run's payments live: a fresh database, dropped (or deleted) afterwards. */
interface Target {
  label: string;
  env: Record<string, string | undefined>;
  /** Opens the data for the final checks; called after the service stopped. */
  reader(): Promise<SqlReader>;
}

async function serverTarget(options: LoadOptions, cleanup: Cleanup): Promise<Target> {
  const database = await benchDatabase(process.env.DATABASE_URL);
  cleanup.add('drop the run database', () => database.drop());
  const redisUrl = process.env.REDIS_URL;
  const prefix = `load:${randomBytes(4).toString('hex')}:`;
  if (redisUrl)
    cleanup.add('delete the run Redis keys', () => deleteKeysWithPrefix(redisUrl, prefix));
  if (options.instances > 1 && !redisUrl) {
    throw new UsageError('--instances above 1 needs REDIS_URL as well as DATABASE_URL');
  }

  return {
    label: `PostgreSQL${redisUrl ? ' and Redis' : ' and the in-process store'}`,
    env: { DATABASE_URL: database.url, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix },
    reader: () => serverReader(database.url!),
  };
}

function embeddedTarget(options: LoadOptions, workDir: string): Target {
  if (options.instances > 1) {
    throw new UsageError('--instances above 1 needs DATABASE_URL and REDIS_URL (embedded: one)');
  }
  const dataDir = join(workDir, 'data');

  return {
    label: 'embedded PostgreSQL (PGlite) and the in-process store',
    env: { DATABASE_URL: undefined, REDIS_URL: undefined, DATA_DIR: dataDir },
    reader: () => embeddedReader(join(dataDir, 'pgdata')),
  };
}

/** The first instance alone (it runs the migrations), then the others together. */
async function startService(
  env: Record<string, string | undefined>,
  count: number,
  logPath: string,
): Promise<ServerProcess[]> {
  const start = () => startServer(SERVICE, env, { logPath, bootTimeoutMs: 120_000 });
  const first = await start();
  const rest = await Promise.all(Array.from({ length: count - 1 }, start));

  return [first, ...rest];
}

/** Leaves out GET /api/v1/rate-limits when this build does not serve it yet. */
async function servedKinds(url: string, account: LoadAccount, notes: string[]) {
  const response = await fetch(`${url}/api/v1/rate-limits`, {
    headers: { authorization: `Bearer ${account.apiKey}` },
    signal: AbortSignal.timeout(10_000),
  });
  await response.arrayBuffer();
  if (response.status !== 404) return KINDS;

  notes.push('GET /api/v1/rate-limits answers 404 in this build: left out of the mix');
  return KINDS.filter((kind): kind is RequestKind => kind !== 'rate_limits');
}

function serviceEnv(options: LoadOptions, accounts: LoadAccount[], target: Target) {
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    API_KEYS: apiKeysEnv(accounts),
    ...limitsFor(options.rate, options.accounts),
    ...target.env,
  };
}

function logTail(logPath: string): string {
  try {
    const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n');
    return lines.slice(-LOG_TAIL_LINES).join('\n');
  } catch {
    return '(no service log)';
  }
}

async function runLoad(options: LoadOptions, cleanup: Cleanup): Promise<boolean> {
  const workDir = mkdtempSync(join(tmpdir(), 'payments-load-'));
  cleanup.add('delete the work folder', () => rmSync(workDir, { recursive: true, force: true }));
  const target = process.env.DATABASE_URL
    ? await serverTarget(options, cleanup)
    : embeddedTarget(options, workDir);
  const accounts = makeAccounts(options.accounts);
  const logPath = join(workDir, 'service.log');

  process.stderr.write(`starting ${options.instances} instance(s) on ${target.label}\n`);
  const servers = await startService(
    serviceEnv(options, accounts, target),
    options.instances,
    logPath,
  );
  cleanup.add('stop the service', () => Promise.all(servers.map((s) => s.kill('SIGKILL'))));
  const notes: string[] = [];
  const kinds = await servedKinds(servers[0].url, accounts[0], notes);

  const run = new LoadRun({
    urls: servers.map((server) => server.url),
    accounts,
    rate: options.rate,
    durationMs: options.durationMs,
    timeoutMs: options.timeoutMs,
    maxInFlight: options.maxInFlight,
    kinds,
    runId: randomBytes(4).toString('hex'),
  });
  const memory = new MemoryWatch(servers);
  const progress = new ProgressLine(() => progressLine(run));
  memory.start(options.warmupMs, options.sampleEveryMs);
  progress.start();
  await run.run();
  progress.stop();
  memory.stop();
  const exits = servers.flatMap((server, index) => {
    const reason = server.exitReason();
    return reason === null ? [] : [`instance ${index + 1} exited during the run (${reason})`];
  });

  await Promise.all(servers.map((server) => server.stop()));
  const reader = await target.reader();
  const ledger = await checkLedger(reader, run.acknowledgements(), run.sentKeys).finally(() =>
    reader.close(),
  );

  const checks = loadChecks(run, ledger, options, memory, exits);
  const summary = loadSummary({
    run,
    ledger,
    checks,
    memory,

    options,
    target: target.label,
    notes,
  });
  process.stdout.write(`${summary}\n`);
  const passed = checks.every((check) => check.ok);
  if (!passed) process.stderr.write(`\nlast lines of the service log:\n${logTail(logPath)}\n`);

  return passed;
}

async function main(): Promise<void> {
  let options: LoadOptions;
  try {
    options = parseLoadOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
    return;
  }

  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    process.exitCode = (await runLoad(options, cleanup)) ? 0 : 1;
  } catch (error) {
    const usage = error instanceof UsageError;
    process.stderr.write(`${usage ? '' : 'load run failed: '}${String(error)}\n`);
    if (usage) process.stderr.write(`${LOAD_USAGE}\n`);
    process.exitCode = usage ? 2 : 1;
  } finally {
    await cleanup.runAll();
  }
}

void main();
