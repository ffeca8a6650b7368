import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

const LOCK_FILE = 'embedded.pid';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * PGlite takes no lock of its own: a second process opening the same folder (the service and
 * the CLI at once) would corrupt it. A pid file says who holds it; a dead holder's is taken
 * over. Returns the release function.
 */
function lockDataDir(dataDir: string): () => void {
  const path = resolve(dataDir, LOCK_FILE);
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;

    const holder = Number(readFileSync(path, 'utf8'));
    if (Number.isInteger(holder) && holder !== process.pid && isRunning(holder)) {
      throw new Error(
        `DATA_DIR ${dataDir} is in use by process ${holder}: the embedded database allows one ` +
          `process at a time (stop the service first, or delete ${path} if that process is gone)`,
      );
    }
    writeFileSync(path, String(process.pid));
  }

  return () => rmSync(path, { force: true });
}

/**
 * A real PostgreSQL (PGlite, compiled to WebAssembly) served on a loopback port so the
 * ordinary `pg` driver, TypeORM and the migrations work unchanged. PGlite serves one
 * connection at a time, so the pool in front of it must hold exactly one.
 */
export class EmbeddedPostgres {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
    private readonly unlock: () => void,
  ) {}

  /** `dataDir` is a folder, created when missing, or `memory://` for a throwaway database. */
  static async start(dataDir: string): Promise<EmbeddedPostgres> {
    const inMemory = dataDir.startsWith('memory://');
    const location = inMemory ? dataDir : resolve(dataDir, 'pgdata');
    if (!inMemory) mkdirSync(location, { recursive: true });
    const unlock = inMemory ? () => undefined : lockDataDir(dataDir);

    const db = await PGlite.create(location);
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 1 });
    await server.start();

    const url = `postgres://postgres@${server.getServerConn()}/postgres?sslmode=disable`;

    return new EmbeddedPostgres(db, server, url, unlock);
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.db.close();
    this.unlock();
  }
}
