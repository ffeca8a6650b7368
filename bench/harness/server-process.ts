import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const CLOCK_TICKS_PER_SECOND = 100;

export interface ServerProcess {
  url: string;
  pid: number;
  /** CPU time (user + system) the server has used so far, in milliseconds. */
  cpuMs(): number;
  /** Resident memory now and at its peak, in megabytes. */
  rssMb(): { now: number; peak: number };
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');

  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
}

function readRssMb(pid: number): { now: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);

  return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

async function waitUntilUp(url: string, child: ChildProcess, probePath: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}${probePath}`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }

  throw new Error(`server at ${url} did not come up`);
}

/** Starts a compiled server script as its own process on a free loopback port. */
export async function startServer(
  script: string,
  env: Record<string, string | undefined>,
  probePath = '/health/live',
): Promise<ServerProcess> {
  const port = await freePort();
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    ...env,
    PORT: String(port),
  };
  for (const name of Object.keys(childEnv)) if (childEnv[name] === undefined) delete childEnv[name];

  const child = spawn(process.execPath, [script], {
    env: childEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(url, child, probePath);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  return {
    url,
    pid: child.pid!,
    cpuMs: () => readCpuMs(child.pid!),
    rssMb: () => readRssMb(child.pid!),
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
