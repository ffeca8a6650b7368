import { EventEmitter } from 'node:events';

import type { Response } from 'express';
import type { Counter } from 'prom-client';

import type { AuditEntry } from './audit-entry.js';
import type { RequestWithAudit } from './audit-context.js';
import { AuditTrailMiddleware, actionFor, outcomeFor } from './audit-trail.middleware.js';
import type { AuditService } from './audit.service.js';

const TRANSACTION = '0f8fad5b-d9cb-469f-a165-70867728950e';

function fakeResponse(statusCode: number, headers: Record<string, string> = {}) {
  const response = Object.assign(new EventEmitter(), {
    statusCode,
    writableFinished: true,
    getHeader: (name: string) => headers[name],
  });

  return response;
}

function harness() {
  const written: AuditEntry[] = [];
  const counted: string[] = [];
  const audit = { enqueue: (entry: AuditEntry) => written.push(entry) } as unknown as AuditService;
  const counter = { inc: (labels: { outcome: string }) => counted.push(labels.outcome) };
  const middleware = new AuditTrailMiddleware(audit, counter as unknown as Counter<'outcome'>);

  function run(
    method: string,
    url: string,
    response: ReturnType<typeof fakeResponse>,
    principal?: { accountId: string },
  ) {
    const request = {
      method,
      url,
      originalUrl: url,
      id: 'req-1',
      ip: '203.0.113.9',
      headers: { 'idempotency-key': 'key-0000000000000001' },
      principal,
    } as unknown as RequestWithAudit;
    middleware.use(request, response as unknown as Response, () => undefined);

    return request;
  }

  return { written, counted, run };
}

describe('outcomeFor', () => {
  it.each([
    [200, 'ok'],
    [201, 'created'],
    [400, 'invalid'],
    [401, 'unauthorized'],
    [402, 'declined'],
    [404, 'invalid'],
    [409, 'conflict'],
    [413, 'invalid'],
    [415, 'invalid'],
    [422, 'key_reused'],
    [429, 'rate_limited'],
    [499, 'invalid'],
    [500, 'unavailable'],
    [503, 'unavailable'],
  ])('maps %i to %s', (status, outcome) => {
    expect(outcomeFor(status, false)).toBe(outcome);
  });

  it('reports any replayed response as replayed', () => {
    expect(outcomeFor(402, true)).toBe('replayed');
  });
});

describe('actionFor', () => {
  it.each([
    ['POST', '/api/v1/payments', 'payment.create'],
    ['GET', '/api/v1/payments', 'payment.list'],
    ['GET', `/api/v1/payments/${TRANSACTION}`, 'payment.read'],
    ['POST', '/api/v1/simulate-concurrent', 'payment.simulate_concurrent'],
  ])('%s %s is %s', (method, path, action) => {
    expect(actionFor(method, path)).toBe(action);
  });
});

describe('AuditTrailMiddleware', () => {
  it('records a refusal when the response closes, counting payment creations', () => {
    const { written, counted, run } = harness();
    const response = fakeResponse(429);

    run('POST', '/api/v1/payments?x=1', response);
    response.emit('close');

    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({
      accountId: null,
      action: 'payment.create',
      outcome: 'rate_limited',
      statusCode: 429,
      requestId: 'req-1',
      ip: '203.0.113.9',
      path: '/api/v1/payments',
      idempotencyKey: 'key-0000000000000001',
      transactionId: null,
    });
    expect(counted).toEqual(['rate_limited']);
  });

  it('skips the entry that was committed with the payment, but still counts it', () => {
    const { written, counted, run } = harness();
    const response = fakeResponse(201, { Location: `/api/v1/payments/${TRANSACTION}` });

    const request = run('POST', '/api/v1/payments', response, { accountId: 'acct' });
    request.audit!.recorded = true;
    response.emit('close');

    expect(written).toEqual([]);
    expect(counted).toEqual(['created']);
  });

  it('takes the transaction id from a replay’s Location and from a successful read', () => {
    const { written, run } = harness();
    const replay = fakeResponse(201, {
      Location: `/api/v1/payments/${TRANSACTION}`,
      'Idempotent-Replayed': 'true',
    });
    const read = fakeResponse(200);

    run('POST', '/api/v1/payments', replay, { accountId: 'acct' });
    run('GET', `/api/v1/payments/${TRANSACTION.toUpperCase()}`, read, { accountId: 'acct' });
    replay.emit('close');
    read.emit('close');

    expect(written.map((entry) => [entry.outcome, entry.transactionId])).toEqual([
      ['replayed', TRANSACTION],
      ['ok', TRANSACTION],
    ]);
  });

  it('records a client that hung up before its answer as 499', () => {
    const { written, run } = harness();
    const response = Object.assign(fakeResponse(200), { writableFinished: false });

    run('GET', '/api/v1/payments', response, { accountId: 'acct' });
    response.emit('close');

    expect(written[0]).toMatchObject({ statusCode: 499, outcome: 'invalid', accountId: 'acct' });
  });
});
