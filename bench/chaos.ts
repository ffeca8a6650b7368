import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

import { CHAOS_USAGE, parseChaosOptions } from './chaos/chaos-options.js';
import type { ChaosOptions } from './chaos/chaos-options.js';
import { chaosChecks, chaosProgress, chaosSummary } from './chaos/chaos-report.js';
import { faultPlan, runFaults } from './chaos/fault-schedule.js';
import type { FaultCounts } from './chaos/fault-schedule.js';
import { InstanceFleet } from './chaos/instance-fleet.js';
import { OwnPostgres, PG_BIN } from './chaos/own-postgres.js';
import { OwnRedis } from './chaos/own-redis.js';
import { PaymentDriver } from './chaos/payment-driver.js';
import type { ChaosAccount } from './chaos/payment-driver.js';
import { UsageError } from './harness/cli-options.js';
import { Cleanup } from './harness/cleanup.js';
import { checkLedger } from './harness/ledger-check.js';
import { freePortsFrom } from './harness/ports.js';
import { ProgressLine } from './harness/progress.js';
import { serverReader } from './harness/sql.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SERVICE = resolve(HERE, '../src/main.js');
const SETTLE_LIMIT_MS = 30_000;
const CALL_DEADLINE_MS = 45_000;
const ATTEMPT_TIMEOUT_MS = 8000;
const LOG_TAIL_LINES = 25;

/**
 * Short locks, a fast processor timeout and a quick reconciler, so that crashes are resumed
 * and pending payments settled within a run; limits far above the load.
 */
function instanceEnv(postgres: OwnPostgres, redis: OwnRedis, accounts: ChaosAccount[]) {
  return {
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    DATABASE_URL: postgres.url,
    DATABASE_POOL_SIZE: '10',
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: 'chaos:',
    API_KEYS: accounts.map(({ account, apiKey }) => `${account}:${apiKey}`).join(','),
    RATE_LIMIT_GLOBAL: '1000000/60s',
    RATE_LIMIT_USER: '1000000/60s',
    RATE_LIMIT_IP: '1000000/60s',
    RATE_LIMIT_PAYMENTS: '1000000/60s',
    RATE_LIMIT_BURST: '100000/s:1000000',
    IDEMPOTENCY_LOCK_TTL: '3s',
    IDEMPOTENCY_LOCK_WAIT: '1s',
    PROCESSOR_FAILURE_RATE: '0.02',
    PROCESSOR_TIMEOUT: '500ms',
    PROCESSOR_RETRY_BASE_DELAY: '10ms',
    PROCESSOR_RETRY_MAX_DELAY: '100ms',
    PROCESSOR_BREAKER_HALF_OPEN: '1s',
    RECONCILE_INTERVAL: '1s',
    RECONCILE_GRACE: '10s',
    SHUTDOWN_TIMEOUT: '5s',
  };
}

function makeAccounts(count: number): ChaosAccount[] {
  return Array.from({ length: count }, (_, index) => ({
    account: `chaos-account-${index + 1}`,
    apiKey: `chaos_${randomBytes(24).toString('hex')}`,
  }));
}

/** Waits, bounded, for the reconcilers to settle what timeouts and crashes left pending. */
async function settle(postgres: OwnPostgres): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < SETTLE_LIMIT_MS) {
    const reader = await serverReader(postgres.url);
    const [{ n }] = await reader
      .query<{ n: number }>(`SELECT count(*)::int AS n FROM payments WHERE status = 'pending'`)
      .finally(() => reader.close());
    if (n === 0) break;
    await sleep(1000);
  }

  return (performance.now() - started) / 1000;
}

function logTails(fleet: InstanceFleet): string {
  const tails = Array.from({ length: fleet.size }, (_, index) => {
    let text = '(no log)';
    try {
      text = readFileSync(fleet.logPath(index), 'utf8')
        .trimEnd()
        .split('\n')
        .slice(-LOG_TAIL_LINES)
        .join('\n');
    } catch {
      // the instance never wrote anything
    }
    return `--- instance ${index + 1} ---\n${text}`;
  });

  return tails.join('\n');
}

async function startServers(options: ChaosOptions, workDir: string, cleanup: Cleanup) {
  const [pgPort, redisPort, ...instancePorts] = await freePortsFrom(
    options.portBase,
    2 + options.instances,
  );
  const postgres = new OwnPostgres(join(workDir, 'postgres'), pgPort);
  await postgres.init();
  cleanup.add('stop PostgreSQL', () => postgres.stopNow());
  await postgres.start();
  const redis = new OwnRedis(redisPort, workDir, join(workDir, 'redis.log'));
  cleanup.add('stop Redis', () => redis.stopNow());
  await redis.start();

  const accounts = makeAccounts(options.accounts);
  const env = instanceEnv(postgres, redis, accounts);
  const fleet = new InstanceFleet(SERVICE, env, instancePorts, workDir);
  cleanup.add('kill the instances', () => fleet.killAll());
  await fleet.startAll();

  return {
    postgres,
    redis,
    fleet,
    accounts,
    ports: { postgres: pgPort, redis: redisPort, instances: instancePorts },
  };
}

async function runChaos(options: ChaosOptions, cleanup: Cleanup): Promise<boolean> {
  const workDir = mkdtempSync(join(tmpdir(), 'payments-chaos-'));
  // The postgres user must reach its data folder inside.
  chmodSync(workDir, 0o711);
  if (options.keep) process.stderr.write(`work folder kept: ${workDir}\n`);
  else
    cleanup.add('delete the work folder', () => rmSync(workDir, { recursive: true, force: true }));

  process.stderr.write(`starting PostgreSQL, Redis and ${options.instances} instances\n`);
  const { postgres, redis, fleet, accounts, ports } = await startServers(options, workDir, cleanup);

  const driver = new PaymentDriver({
    urls: fleet.urls(),
    accounts,
    concurrency: options.concurrency,
    durationMs: options.durationMs,
    callDeadlineMs: CALL_DEADLINE_MS,
    attemptTimeoutMs: ATTEMPT_TIMEOUT_MS,
  });
  let faults: FaultCounts = { instanceKills: 0, redisRestarts: 0, postgresRestarts: 0 };
  const faultText = () =>
    `kills ${faults.instanceKills} redis ${faults.redisRestarts} pg ${faults.postgresRestarts}`;
  const progress = new ProgressLine(chaosProgress(driver, faultText, () => fleet.alive()));
  progress.start();
  const faultsDone = runFaults(faultPlan(options.durationMs), {
    fleet,
    redis,
    postgres,
    log: (line) => progress.log(line),
    counts: (counts) => (faults = counts),
  });
  await Promise.all([faultsDone, driver.run()]);
  progress.stop();

  process.stderr.write('load done; waiting for pending payments to settle\n');
  const settleSeconds = await settle(postgres);
  await fleet.stopAll();

  const reader = await serverReader(postgres.url);
  const ledger = await checkLedger(reader, driver.acknowledged, driver.sentKeys).finally(() =>
    reader.close(),
  );
  const unexpectedExits = fleet.unexpectedExits;
  const facts = { options, driver, faults, ledger, settleSeconds, ports, unexpectedExits };
  const checks = chaosChecks(facts);
  process.stdout.write(`${chaosSummary(facts, checks)}\n`);

  const passed = checks.every((check) => check.ok);
  if (!passed) process.stderr.write(`\nlast lines of the instance logs:\n${logTails(fleet)}\n`);

  return passed;
}

function missingTools(): string | null {
  if (!OwnPostgres.available())
    return `initdb and pg_ctl not found in ${PG_BIN} (set CHAOS_PG_BIN)`;
  if (!OwnRedis.available()) return 'redis-server not found (set CHAOS_REDIS_SERVER)';

  return null;
}

async function main(): Promise<void> {
  let options: ChaosOptions;
  try {
    options = parseChaosOptions(process.argv.slice(2));
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const usage = message.startsWith('usage') ? '' : `\n${CHAOS_USAGE}`;
    process.stderr.write(`${message}${error instanceof UsageError ? usage : ''}\n`);
    process.exitCode = 2;
    return;
  }
  const missing = missingTools();
  if (missing) {
    process.stderr.write(`chaos needs its own PostgreSQL and Redis: ${missing}\n`);
    process.exitCode = 1;
    return;
  }

  const cleanup = new Cleanup();
  cleanup.onSignals();
  try {
    process.exitCode = (await runChaos(options, cleanup)) ? 0 : 1;
  } catch (error) {
    process.stderr.write(
      `chaos run failed: ${error instanceof Error ? error.stack : String(error)}\n`,
    );
    process.exitCode = 1;
  } finally {
    await cleanup.runAll();
  }
  // Nothing the run started may linger (a driver still retrying after a failed setup, say).
  process.exit(process.exitCode);
}

void main();
