import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRY = resolve(ROOT, 'dist/src/main.js');

export interface Instance {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the instance wrote, for assertions on logs and for failure reports. */
  output(): string;
  /** Sends a signal and waits for the exit code (SIGTERM: a graceful stop). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface InstanceOptions {
  env?: Record<string, string | undefined>;
  /** How long to wait for /health/live; default 50 s, as the embedded database boots slowly. */
  bootTimeoutMs?: number;
}

/** A free loopback port, found by letting the kernel pick one. */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** Defaults for a quiet, fast test instance on the embedded database and in-process store. */
export function baseEnv(): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    PROCESSOR_LATENCY: '0ms',
    DATA_DIR: 'memory://',
    REDIS_KEY_PREFIX: `test:${randomBytes(4).toString('hex')}:`,
  };
}

async function waitUntilLive(
  url: string,
  child: ChildProcess,
  deadline: number,
  logs: () => string,
) {
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`instance exited with ${child.exitCode} while starting:\n${logs()}`);
    }
    try {
      const response = await fetch(`${url}/health/live`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }

  throw new Error(`instance did not become live in time:\n${logs()}`);
}

/**
 * Starts the built service (`dist/`) as its own process, as it runs in production. Variables
 * set to undefined in `env` are removed from the inherited environment.
 */
export async function startInstance(options: InstanceOptions = {}): Promise<Instance> {
  const port = await freePort();
  const env: Record<string, string | undefined> = { ...process.env, ...baseEnv(), ...options.env };
  env.PORT = String(port);
  delete env.NODE_OPTIONS;
  for (const name of Object.keys(env)) if (env[name] === undefined) delete env[name];

  const child = spawn(process.execPath, [ENTRY], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout?.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (logs += chunk.toString()));

  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  try {
    await waitUntilLive(url, child, Date.now() + (options.bootTimeoutMs ?? 90_000), () => logs);
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  }

  return {
    url,
    port,
    process: child,
    output: () => logs,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
