import { EventEmitter } from 'node:events';

import type { Request, Response } from 'express';

import { DrainService } from './drain.service.js';

function fakeResponse() {
  const headers: Record<string, string> = {};
  const response = Object.assign(new EventEmitter(), {
    headers,
    setHeader: (name: string, value: string) => (headers[name] = value),
  });

  return response;
}

function enter(drain: DrainService) {
  const response = fakeResponse();
  drain.handler({} as Request, response as unknown as Response, () => undefined);

  return response;
}

describe('DrainService', () => {
  it('counts requests until their responses close', () => {
    const drain = new DrainService();

    const first = enter(drain);
    enter(drain);
    first.emit('close');

    expect(drain.inFlight).toBe(1);
  });

  it('is idle at once with nothing in flight, else when the last request ends', async () => {
    const drain = new DrainService();
    await drain.whenIdle();

    const first = enter(drain);
    const second = enter(drain);
    let idle = false;
    const waiting = drain.whenIdle().then(() => (idle = true));
    first.emit('close');
    await Promise.resolve();
    expect(idle).toBe(false);

    second.emit('close');
    await waiting;
    expect(idle).toBe(true);
  });

  it('asks clients to close their connections once draining', () => {
    const drain = new DrainService();
    const before = enter(drain);

    drain.begin();
    const after = enter(drain);

    expect(drain.draining).toBe(true);
    expect(before.headers.Connection).toBeUndefined();
    expect(after.headers.Connection).toBe('close');
  });
});
