import { Inject, Logger, Module } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { TypeOrmModuleOptions } from '@nestjs/typeorm';

import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { postgresConnectionOptions } from './connection-options.js';
import type { EmbeddedPostgres } from './embedded-postgres.js';

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

  // Loaded only when used: PGlite's module is large and a server deployment never needs it.
  const { EmbeddedPostgres } = await import('./embedded-postgres.js');
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
    ...postgresConnectionOptions(url, mode.embedded ? 1 : config.database.poolSize),
    autoLoadEntities: true,
    migrationsRun: true,
    retryAttempts: 3,
    retryDelay: 500,
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
