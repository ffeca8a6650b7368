import { execFile, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian's postgresql-15 puts initdb and pg_ctl; CHAOS_PG_BIN overrides it. */
export const PG_BIN = process.env.CHAOS_PG_BIN ?? '/usr/lib/postgresql/15/bin';
const SERVER_USER = 'postgres';

/** PostgreSQL refuses to run as root; then every command runs as the `postgres` user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, args];

  return ['runuser', ['-u', SERVER_USER, '--', command, ...args]];
}

function serverUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(spawnSync('id', [flag, SERVER_USER]).stdout.toString());

  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A PostgreSQL cluster of the run's own, in a temp folder on a port of its own, with trust
 * auth: it can be stopped and started at will without touching the machine's server.
 */
export class OwnPostgres {
  private readonly dataDir: string;
  private readonly logPath: string;

  constructor(
    private readonly folder: string,
    readonly port: number,
  ) {
    this.dataDir = join(folder, 'data');
    this.logPath = join(folder, 'postgres.log');
  }

  static available(): boolean {
    return existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'pg_ctl'));
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /**
   * initdb into the folder, owned by the server user when running as root (the folder's
   * parents must let that user through).
   */
  async init(): Promise<void> {
    mkdirSync(this.folder, { recursive: true });
    if (process.getuid?.() === 0) {
      const { uid, gid } = serverUserIds();
      chownSync(this.folder, uid, gid);
    }
    await this.pg('initdb', ['-D', this.dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  }

  async start(): Promise<void> {
    const settings = [
      `-p ${this.port}`,
      '-c listen_addresses=127.0.0.1',
      `-c unix_socket_directories=${this.folder}`,
      '-c fsync=off',
      '-c max_connections=100',
    ].join(' ');
    await this.pg('pg_ctl', [
      'start',
      '-w',
      '-t',
      '60',
      '-D',
      this.dataDir,
      '-l',
      this.logPath,
      '-o',
      settings,
    ]);
  }

  /** A fast shutdown: sessions are terminated and in-flight transactions roll back. */
  async stopFast(): Promise<void> {
    await this.pg('pg_ctl', ['stop', '-w', '-t', '60', '-m', 'fast', '-D', this.dataDir]);
  }

  /** For cleanup, also from a signal handler: stops the cluster at once if it runs. */
  stopNow(): void {
    if (!existsSync(join(this.dataDir, 'postmaster.pid'))) return;

    const [command, args] = asServerUser(join(PG_BIN, 'pg_ctl'), [
      'stop',
      '-w',
      '-t',
      '30',
      '-m',
      'immediate',
      '-D',
      this.dataDir,
    ]);
    spawnSync(command, args, { stdio: 'ignore', timeout: 35_000 });
  }

  private async pg(tool: string, args: string[]): Promise<void> {
    const [command, fullArgs] = asServerUser(join(PG_BIN, tool), args);
    try {
      await run(command, fullArgs, { timeout: 90_000, cwd: this.folder });
    } catch (error) {
      const output = error as { stderr?: string; stdout?: string };
      throw new Error(`${tool} failed: ${output.stderr || output.stdout || String(error)}`);
    }
  }
}
