import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { OwnPostgres } from '../../bench/chaos/own-postgres.js';
import { OwnRedis } from '../../bench/chaos/own-redis.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CHAOS = resolve(ROOT, 'dist/bench/chaos.js');
/** Every fault at least once: Redis down at 18 s, PostgreSQL at 36 s, a kill every 5 s. */
const DURATION = '60s';
const RUN_LIMIT_MS = 165_000;
const TEST_LIMIT_MS = 180_000;
const inCi = process.env.CI === 'true';

interface Finished {
  code: number | null;
  output: string;
}

/** Runs the built chaos script; past the limit it is stopped (it cleans up on SIGTERM). */
function runChaos(onStart: (child: ChildProcess) => void): Promise<Finished> {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  const portBase = process.env.CHAOS_PORT_BASE ?? '7270';
  const child = spawn(process.execPath, [CHAOS, '--duration', DURATION, '--port-base', portBase], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onStart(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const limit = setTimeout(() => child.kill('SIGTERM'), RUN_LIMIT_MS);

  return new Promise((done) =>
    child.once('exit', (code) => {
      clearTimeout(limit);
      done({ code, output });
    }),
  );
}

function missingTools(): string | null {
  if (!OwnPostgres.available()) return 'PostgreSQL binaries (initdb, pg_ctl; set CHAOS_PG_BIN)';
  if (!OwnRedis.available()) return 'redis-server';

  return null;
}

const missing = missingTools();

if (missing && !inCi) {
  process.stderr.write(`\n[not run] chaos: ${missing} not found on this machine\n`);
}

(missing && !inCi ? describe.skip : describe)('chaos: crashes and restarts under load', () => {
  let child: ChildProcess | null = null;

  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  });

  it(
    'keeps every payment guarantee through instance kills, a Redis and a PostgreSQL restart',
    async () => {
      if (missing) throw new Error(`chaos needs ${missing}, and CI=true requires it to run`);

      const { code, output } = await runChaos((started) => (child = started));

      if (code !== 0) throw new Error(`chaos exited with ${code}:\n${output.slice(-8000)}`);
      expect(output).toMatch(/every fault exercised/);
      expect(output).toMatch(/result: PASS/);
    },
    TEST_LIMIT_MS,
  );
});
