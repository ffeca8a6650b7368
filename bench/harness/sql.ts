import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';

/** Runs read-only checks against wherever a run's payments ended up. */
export interface SqlReader {
  query<T>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** A PostgreSQL server, through one connection. */
export async function serverReader(url: string): Promise<SqlReader> {
  const client = new pg.Client({ connectionString: url, statement_timeout: 60_000 });
  await client.connect();

  return {
    query: async <T>(sql: string, params: unknown[] = []) =>
      (await client.query(sql, params)).rows as T[],
    close: () => client.end(),
  };
}

/**
 * The embedded database's files, opened directly once the service that owned them stopped
 * (PGlite takes one connection, so it cannot be read while the service runs).
 */
export async function embeddedReader(dataDir: string): Promise<SqlReader> {
  const db = await PGlite.create(dataDir);

  return {
    query: async <T>(sql: string, params: unknown[] = []) => (await db.query<T>(sql, params)).rows,
    close: () => db.close(),
  };
}
