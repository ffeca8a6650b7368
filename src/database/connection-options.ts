import { MIGRATIONS } from '../../migrations/index.js';
import { ListeningPgClient } from './listening-pg-client.js';

/**
 * What the service and the operator CLI share about the database: the server, the migrations
 * and how they run. Each caller adds its entities and its own lifecycle options.
 */
export function postgresConnectionOptions(url: string, maxConnections: number) {
  return {
    type: 'postgres' as const,
    url,
    synchronize: false,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each' as const,
    installExtensions: false,
    uuidExtension: 'pgcrypto' as const,
    extra: {
      Client: ListeningPgClient,
      max: maxConnections,
      connectionTimeoutMillis: 5000,
      statement_timeout: 10_000,
    },
  };
}
