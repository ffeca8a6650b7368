import { openCliDatabase, runCli } from './cli-database.js';

/**
 * `npm run migration:run`: applies pending migrations to DATABASE_URL (or to the embedded
 * database in DATA_DIR while the service is stopped) and says which it applied.
 */
await runCli('migrate', async () => {
  const database = await openCliDatabase();
  await database.close();

  const { applied, where } = database;
  if (applied.length === 0) {
    process.stdout.write(`${where}: no pending migrations\n`);
    return;
  }

  process.stdout.write(`${where}: applied ${applied.length} migration(s)\n`);
  for (const name of applied) process.stdout.write(`  ${name}\n`);
});
