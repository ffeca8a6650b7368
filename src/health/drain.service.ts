import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Knows whether the instance is draining (shutting down) and how many requests are still
 * being answered. Its handler is installed on Express before everything else.
 */
@Injectable()
export class DrainService {
  private drainingSince: Date | null = null;
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  get draining(): boolean {
    return this.drainingSince !== null;
  }

  get inFlight(): number {
    return this.active;
  }

  /** From now on readiness fails and every response asks its client to close the connection. */
  begin(): void {
    this.drainingSince ??= new Date();
  }

  /** Resolves once no request is being answered. */
  whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();

    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  readonly handler: RequestHandler = (
    _request: Request,
    response: Response,
    next: NextFunction,
  ) => {
    this.active += 1;
    if (this.draining) response.setHeader('Connection', 'close');

    response.once('close', () => this.finished());
    next();
  };

  private finished(): void {
    this.active -= 1;
    if (this.active > 0) return;

    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((resolve) => resolve());
  }
}
