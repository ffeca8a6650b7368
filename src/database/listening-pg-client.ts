import { Logger } from '@nestjs/common';
import pg from 'pg';

const logger = new Logger('Database');

/**
 * A pg client that always has an `error` listener. The pool listens only while a client is
 * idle, so a checked-out client whose connection the server ends between two queries (a
 * restart, a fast shutdown) would emit an unhandled `error` and crash the process. Here it
 * is logged instead; the query in flight, or the next one, fails and is answered with 503,
 * and the pool discards the client when it is released.
 */
export class ListeningPgClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on('error', (error: Error) =>
      logger.warn({ err: error.message }, 'database connection lost'),
    );
  }
}
