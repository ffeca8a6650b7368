import { SERVER_URLS } from './servers.js';
import type { TestDatabase } from './test-database.js';

/** Environment for an instance on the given database, with Redis when REDIS_URL is set. */
export function serverEnv(
  database: TestDatabase,
  withRedis = true,
): Record<string, string | undefined> {
  return {
    DATABASE_URL: database.url ?? undefined,
    REDIS_URL: withRedis ? (SERVER_URLS.redis ?? undefined) : undefined,
  };
}
