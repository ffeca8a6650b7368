import { Inject, Logger, Module } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';

import { MIGRATIONS } from '../../migrations/index.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { ListeningPgClient } from './listening-pg-client.js';

export const EMBEDDED_POSTGRES = Symbol('EMBEDDED_POSTGRES');

/** Where the database runs: a configured server, or the embedded one in DATA_DIR. */
export interface DatabaseMode {
  embedded: EmbeddedPostgres | null;
}

async function startDatabaseMode(config: AppConfig): Promise<DatabaseMode> {
  const logger = new Logger('Database');
  if (config.database.url !== null) {
    logger.log({ mode: 'server', poolSize: config.database.poolSize }, 'using PostgreSQL server');
    return { embedded: null };
  }

  const embedded = await EmbeddedPostgres.start(config.database.dataDir);
  logger.warn(
    { mode: 'embedded', dataDir: config.database.dataDir },
    'DATABASE_URL is unset: embedded PostgreSQL (PGlite), one connection, data kept in DATA_DIR; ' +
      'run one instance only',
  );

  return { embedded };
}

export function typeOrmOptions(config: AppConfig, mode: DatabaseMode): TypeOrmModuleOptions {
  const url = mode.embedded?.url ?? config.database.url ?? '';

  return {
    type: 'postgres',
    url,
    autoLoadEntities: true,
    synchronize: false,
    migrations: MIGRATIONS,
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    installExtensions: false,
    uuidExtension: 'pgcrypto',
    retryAttempts: 3,
    retryDelay: 500,
    extra: {
      Client: ListeningPgClient,
      max: mode.embedded ? 1 : config.database.poolSize,
      connectionTimeoutMillis: 5000,
      statement_timeout: 10_000,
    },
  };
}

class EmbeddedPostgresLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EMBEDDED_POSTGRES) private readonly mode: DatabaseMode) {}

  async onApplicationShutdown(): Promise<void> {
    await this.mode.embedded?.stop();
  }
}

@Module({
  providers: [
    {
      provide: EMBEDDED_POSTGRES,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => startDatabaseMode(config),
    },
    EmbeddedPostgresLifecycle,
  ],
  exports: [EMBEDDED_POSTGRES],
})
class DatabaseModeModule {}

/** TypeORM on a PostgreSQL server, or on the embedded PostgreSQL; migrations run at startup. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      imports: [DatabaseModeModule],
      inject: [APP_CONFIG, EMBEDDED_POSTGRES],
      useFactory: (config: AppConfig, mode: DatabaseMode) => typeOrmOptions(config, mode),
    }),
  ],
  exports: [TypeOrmModule],
})
export class DatabaseModule {}
