import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

const REDIS_SERVER = process.env.CHAOS_REDIS_SERVER ?? 'redis-server';

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

/** A Redis server of the run's own, without persistence: a restart empties it. */
export class OwnRedis {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly port: number,
    private readonly folder: string,
    private readonly logPath: string,
  ) {}

  static available(): boolean {
    return spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' }).status === 0;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const log = openSync(this.logPath, 'a');
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
    ];
    const child = spawn(REDIS_SERVER, [...args, '--dir', this.folder], {
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.child = child;
    this.exited = new Promise((done) => child.once('exit', () => done()));

    for (let tries = 0; tries < 100; tries += 1) {
      if (await answersPing(this.port)) return;
      if (child.exitCode !== null) break;
      await sleep(100);
    }
    throw new Error(`redis-server on port ${this.port} did not start; see ${this.logPath}`);
  }

  /** Kills the server (SIGKILL: a crash) and waits until it is gone. */
  async kill(): Promise<void> {
    this.stopNow();
    await this.exited;
  }

  /** For cleanup, also from a signal handler. */
  stopNow(): void {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
    }
  }
}
