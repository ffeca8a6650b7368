import pg from 'pg';

/** Runs one query on a test database with a short-lived connection. */
export async function queryRows<T = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Counts payments and processor charges made under one idempotency key. */
export async function chargesForKey(url: string, key: string) {
  const [row] = await queryRows<{ payments: string; charges: string }>(
    url,
    `SELECT (SELECT count(*) FROM payments WHERE idempotency_key = $1) AS payments,
            (SELECT count(*) FROM processor_charges c JOIN payments p
               ON c.processor_key = p.processor_key WHERE p.idempotency_key = $1) AS charges`,
    [key],
  );

  return { payments: Number(row.payments), charges: Number(row.charges) };
}
