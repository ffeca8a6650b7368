import { EventEmitter } from 'node:events';

import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import type { Request, Response } from 'express';

import type { AppConfig } from './config/config.types.js';
import { DrainService } from './health/drain.service.js';
import { GracefulShutdown } from './shutdown.js';

function harness(options: { closeApp?: () => Promise<void>; timeoutMs?: number } = {}) {
  const events: string[] = [];
  const drain = new DrainService();
  const server = {
    close: (done: () => void) => {
      events.push('listener closed');
      setImmediate(done);
    },
    closeAllConnections: () => events.push('connections closed'),
  };
  const app = {
    get: () => drain,
    getHttpServer: () => server,
    close: options.closeApp ?? (async () => void events.push('app closed')),
  } as unknown as INestApplication;
  const config = {
    shutdownTimeoutMs: options.timeoutMs ?? 5000,
    shutdownDrainDelayMs: 10,
  } as AppConfig;
  const exits: number[] = [];
  const shutdown = new GracefulShutdown(app, config, (code) => exits.push(code));

  return { events, drain, shutdown, exits };
}

describe('GracefulShutdown', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('fails readiness, waits for requests in flight, closes everything, exits 0', async () => {
    const { events, drain, shutdown, exits } = harness();
    const response = new EventEmitter();
    drain.handler({} as Request, response as unknown as Response, () => undefined);

    const running = shutdown.run('SIGTERM');
    expect(drain.draining).toBe(true);
    await new Promise((done) => setTimeout(done, 30));
    expect(events).toEqual(['listener closed']);

    events.push('request finished');
    response.emit('close');
    await running;

    expect(events).toEqual([
      'listener closed',
      'request finished',
      'connections closed',
      'app closed',
    ]);
    expect(exits).toEqual([0]);
  });

  it('runs once however many signals arrive', async () => {
    const { events, shutdown, exits } = harness();

    await Promise.all([shutdown.run('SIGTERM'), shutdown.run('SIGINT')]);

    expect(events.filter((event) => event === 'app closed')).toHaveLength(1);
    expect(exits).toEqual([0]);
  });

  it('exits 1 when the shutdown does not finish in time', async () => {
    const { shutdown, exits } = harness({
      closeApp: () => new Promise(() => undefined),
      timeoutMs: 50,
    });

    void shutdown.run('SIGTERM');
    await new Promise((done) => setTimeout(done, 120));

    expect(exits).toEqual([1]);
  });
});
