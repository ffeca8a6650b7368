import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
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
  /** Sends `signal` (SIGKILL: a crash) and waits until the process is gone. */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** True until the process exits, whatever the reason. */
  alive(): boolean;
  /** `exit code 1` or `signal SIGKILL` once the process has exited; null while it runs. */
  exitReason(): string | null;
  /** Calls `listener` with the exit reason when the process exits, whatever the cause. */
  onExit(listener: (reason: string) => void): void;
}

export interface StartOptions {
  /** Defaults to a free port the kernel picks. */
  port?: number;
  probePath?: string;
  /** Appends the server's stdout and stderr to this file instead of showing its stderr. */
  logPath?: string;
  bootTimeoutMs?: number;
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

async function waitUntilUp(
  url: string,
  child: ChildProcess,
  probePath: string,
  bootTimeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + bootTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`server exited with ${child.exitCode ?? child.signalCode}`);
    }
    try {
      if ((await fetch(`${url}${probePath}`, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 100));
  }

  throw new Error(`server at ${url} did not come up`);
}

function outputTo(logPath: string | undefined): ['ignore', 'ignore' | number, 'inherit' | number] {
  if (logPath === undefined) return ['ignore', 'ignore', 'inherit'];

  const fd = openSync(logPath, 'a');

  return ['ignore', fd, fd];
}

/** Starts a compiled server script as its own process on a loopback port. */
export async function startServer(
  script: string,
  env: Record<string, string | undefined>,
  options: StartOptions = {},
): Promise<ServerProcess> {
  const port = options.port ?? (await freePort());
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    ...env,
    PORT: String(port),
  };
  for (const name of Object.keys(childEnv)) if (childEnv[name] === undefined) delete childEnv[name];

  const stdio = outputTo(options.logPath);
  const child = spawn(process.execPath, [script], { env: childEnv, stdio });
  // The child holds its own copy of the log file's descriptor.
  if (typeof stdio[1] === 'number') closeSync(stdio[1]);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const exitReason = () => {
    if (child.signalCode !== null) return `signal ${child.signalCode}`;
    return child.exitCode === null ? null : `exit code ${child.exitCode}`;
  };
  const kill = async (signal: NodeJS.Signals) => {
    if (alive()) child.kill(signal);
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilUp(
      url,
      child,
      options.probePath ?? '/health/live',
      options.bootTimeoutMs ?? 60_000,
    );
  } catch (error) {
    await kill('SIGKILL');
    throw error;
  }

  return {
    url,
    pid: child.pid!,
    cpuMs: () => readCpuMs(child.pid!),
    rssMb: () => readRssMb(child.pid!),
    stop: () => kill('SIGTERM'),
    kill,
    alive,
    exitReason,
    onExit: (listener) => {
      void exited.then(() => listener(exitReason() ?? 'exited'));
    },
  };
}
