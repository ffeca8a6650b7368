import { randomBytes } from 'node:crypto';

import pg from 'pg';

async function admin(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A throwaway database on the server in `url`, or null to use the embedded one. */
export async function benchDatabase(url: string | undefined) {
  if (!url) return { url: undefined, drop: async () => undefined };

  const name = `payments_bench_${randomBytes(4).toString('hex')}`;
  await admin(url, `CREATE DATABASE ${name}`);
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;

  return {
    url: parsed.toString(),
    drop: () => admin(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
