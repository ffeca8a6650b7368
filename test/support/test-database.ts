import { randomBytes } from 'node:crypto';

import pg from 'pg';

import { SERVER_URLS } from './servers.js';

export interface TestDatabase {
  /** A fresh database on the server, or null for the embedded in-memory PostgreSQL. */
  url: string | null;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;

  return parsed.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URLS.postgres! });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates a database of its own for one suite on the server in DATABASE_URL. */
export async function createServerDatabase(): Promise<TestDatabase> {
  if (SERVER_URLS.postgres === null) throw new Error('DATABASE_URL is unset');

  const name = `payments_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);

  return {
    url: withDatabase(SERVER_URLS.postgres, name),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** A server database when DATABASE_URL is set, the embedded in-memory one otherwise. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (SERVER_URLS.postgres !== null) return createServerDatabase();

  return { url: null, drop: async () => undefined };
}
