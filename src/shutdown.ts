import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';

import type { AppConfig } from './config/config.types.js';
import { DrainService } from './health/drain.service.js';

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Stops the instance without dropping work: readiness fails at once, the instance keeps serving
 * for the drain delay so load balancers notice, then stops accepting connections, lets every
 * request in flight finish, closes idle connections and runs the shutdown hooks (the audit
 * writer's last flush, background jobs, Redis, the database). Exits 0, or 1 when the whole
 * sequence did not fit in SHUTDOWN_TIMEOUT.
 */
export class GracefulShutdown {
  private readonly logger = new Logger(GracefulShutdown.name);
  private started = false;

  constructor(
    private readonly app: INestApplication,
    private readonly config: AppConfig,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  install(): void {
    for (const signal of SIGNALS) process.on(signal, () => void this.run(signal));
  }

  async run(signal: string): Promise<void> {
    if (this.started) return;
    this.started = true;

    const deadline = setTimeout(() => this.giveUp(), this.config.shutdownTimeoutMs);
    deadline.unref();
    try {
      await this.drainAndClose(signal);
      this.exit(0);
    } catch (error) {
      this.logger.error({ err: error }, 'shutdown failed');
      this.exit(1);
    } finally {
      clearTimeout(deadline);
    }
  }

  private async drainAndClose(signal: string): Promise<void> {
    const drain = this.app.get(DrainService);
    const server = this.app.getHttpServer() as Server;
    drain.begin();
    this.logger.log({ signal, drainDelayMs: this.config.shutdownDrainDelayMs }, 'draining');

    await sleep(this.config.shutdownDrainDelayMs);
    const closed = stopListening(server);
    await drain.whenIdle();
    server.closeAllConnections();
    await closed;
    this.logger.log('requests drained; closing');

    await this.app.close();
  }

  private giveUp(): void {
    const inFlight = this.app.get(DrainService).inFlight;
    this.logger.error(
      { timeoutMs: this.config.shutdownTimeoutMs, inFlight },
      'shutdown timed out; exiting',
    );
    this.exit(1);
  }
}
