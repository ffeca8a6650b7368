import 'reflect-metadata';

import { DataSource } from 'typeorm';

import { ApiKeyEntity } from '../auth/api-key.entity.js';
import { ConfigError, loadConfig } from '../config/config.loader.js';
import type { AppConfig } from '../config/config.types.js';
import { postgresConnectionOptions } from '../database/connection-options.js';
import { EmbeddedPostgres } from '../database/embedded-postgres.js';

/** A failure the operator must fix; printed as one line, with the exit code to end with. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface CliDatabase {
  dataSource: DataSource;
  config: AppConfig;
  /** Where it connected, for the operator's eyes; never the URL (it may hold a password). */
  where: string;
  /** Names of the migrations this run applied. */
  applied: string[];
  close(): Promise<void>;
}

function configOrFail(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`configuration: ${error.message}`, 78);
    throw error;
  }
}

/**
 * Opens the database the service uses, from the same environment: DATABASE_URL, or the
 * embedded PostgreSQL in DATA_DIR (only while the service is stopped: it holds the folder).
 * Pending migrations are applied first, exactly as the service would at startup.
 */
export async function openCliDatabase(): Promise<CliDatabase> {
  const config = configOrFail();
  if (config.production && config.database.url === null) {
    throw new CliError('DATABASE_URL must point at a PostgreSQL server in production', 78);
  }

  const embedded =
    config.database.url === null ? await EmbeddedPostgres.start(config.database.dataDir) : null;
  const dataSource = new DataSource({
    ...postgresConnectionOptions(embedded?.url ?? config.database.url!, 1),
    entities: [ApiKeyEntity],
  });

  let applied: string[];
  try {
    await dataSource.initialize();
    applied = (await dataSource.runMigrations({ transaction: 'each' })).map(({ name }) => name);
  } catch (error) {
    await embedded?.stop();
    throw new CliError(`database: ${(error as Error).message}`);
  }

  return {
    dataSource,
    config,
    applied,
    where: embedded ? `embedded database in ${config.database.dataDir}` : 'DATABASE_URL',
    close: async () => {
      await dataSource.destroy();
      await embedded?.stop();
    },
  };
}

/** Runs a CLI body: prints a CliError as one line and exits with its code. */
export async function runCli(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const known = error instanceof CliError;
    process.stderr.write(`${name}: ${known ? error.message : String(error)}\n`);
    process.exitCode = known ? error.exitCode : 1;
  }
}
