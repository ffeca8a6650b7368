import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { startServer } from '../harness/server-process.js';
import type { ServerProcess } from '../harness/server-process.js';

const BOOT_ATTEMPTS = 5;
const BOOT_TIMEOUT_MS = 90_000;

/**
 * The service's instances, each on a fixed port so that a restarted instance is found where
 * the crashed one was. Each appends its output to `instance-<n>.log` in `logDir`.
 */
export class InstanceFleet {
  private readonly servers: (ServerProcess | null)[];
  restarts = 0;

  constructor(
    private readonly script: string,
    private readonly env: Record<string, string | undefined>,
    private readonly ports: number[],
    private readonly logDir: string,
  ) {
    this.servers = ports.map(() => null);
  }

  get size(): number {
    return this.ports.length;
  }

  urls(): string[] {
    return this.ports.map((port) => `http://127.0.0.1:${port}`);
  }

  logPath(index: number): string {
    return join(this.logDir, `instance-${index + 1}.log`);
  }

  /** The first alone (it runs the migrations), then the rest together. */
  async startAll(): Promise<void> {
    await this.start(0);
    await Promise.all(this.ports.slice(1).map((_, offset) => this.start(offset + 1)));
  }

  /** SIGKILL: the instance dies mid-request, as in a crash or an OOM kill. */
  async crash(index: number): Promise<void> {
    await this.servers[index]?.kill('SIGKILL');
    this.servers[index] = null;
  }

  /**
   * Starts the instance, trying again when a boot fails (it may meet PostgreSQL restarting);
   * bounded in attempts and in time.
   */
  async start(index: number): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= BOOT_ATTEMPTS; attempt += 1) {
      try {
        this.servers[index] = await startServer(this.script, this.env, {
          port: this.ports[index],
          logPath: this.logPath(index),
          bootTimeoutMs: BOOT_TIMEOUT_MS,
        });
        return;
      } catch (error) {
        lastError = error;
        await sleep(1000 * attempt);
      }
    }

    throw new Error(`instance ${index + 1} did not start: ${String(lastError)}`);
  }

  async restart(index: number): Promise<void> {
    await this.start(index);
    this.restarts += 1;
  }

  isUp(index: number): boolean {
    return this.servers[index]?.alive() ?? false;
  }

  alive(): number {
    return this.servers.filter((server) => server?.alive()).length;
  }

  /** A graceful stop of every instance still running. */
  async stopAll(): Promise<void> {
    await Promise.all(this.servers.map((server) => server?.stop()));
  }

  /** For cleanup: SIGKILL whatever still runs. */
  async killAll(): Promise<void> {
    await Promise.all(this.servers.map((server) => server?.kill('SIGKILL')));
  }
}
