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
  /** Exits the fleet did not cause: a crash of the service itself. */
  readonly unexpectedExits: string[] = [];
  private stopping = false;
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
    const server = this.servers[index];
    this.servers[index] = null;
    await server?.kill('SIGKILL');
  }

  /**
   * Starts the instance, trying again when a boot fails (it may meet PostgreSQL restarting);
   * bounded in attempts and in time.
   */
  async start(index: number): Promise<void> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= BOOT_ATTEMPTS; attempt += 1) {
      try {
        const server = await startServer(this.script, this.env, {
          port: this.ports[index],
          logPath: this.logPath(index),
          bootTimeoutMs: BOOT_TIMEOUT_MS,
        });
        this.servers[index] = server;
        server.onExit((reason) => this.exited(index, server, reason));
        return;
      } catch (error) {
        lastError = error;
        await sleep(1000 * attempt);
      }
    }

    throw new Error(`instance ${index + 1} did not start: ${String(lastError)}`);
  }

  /** An exit is expected only after `crash` took the instance out, or once the fleet stops. */
  private exited(index: number, server: ServerProcess, reason: string): void {
    if (this.stopping || this.servers[index] !== server) return;

    this.unexpectedExits.push(`instance ${index + 1} exited on its own (${reason})`);
    this.servers[index] = null;
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
    this.stopping = true;
    await Promise.all(this.servers.map((server) => server?.stop()));
  }

  /** For cleanup: SIGKILL whatever still runs. */
  async killAll(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.servers.map((server) => server?.kill('SIGKILL')));
  }
}
