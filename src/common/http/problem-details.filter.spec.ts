import type { ArgumentsHost } from '@nestjs/common';
import { Logger } from '@nestjs/common';

import { ProblemDetailsFilter } from './problem-details.filter.js';

interface Sent {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Runs the filter on `exception` with a recording response; returns what it sent. */
function answer(exception: unknown): Sent {
  const sent: Sent = { status: 0, headers: {}, body: {} };
  const response = {
    headersSent: false,
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status: (status: number) => ((sent.status = status), response),
    type: () => response,
    send: (text: string) => (sent.body = JSON.parse(text)),
  };
  const request = { originalUrl: '/api/v1/payments', url: '/api/v1/payments' };
  const host = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ArgumentsHost;

  new ProblemDetailsFilter().catch(exception, host);

  return sent;
}

describe('ProblemDetailsFilter', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('answers a database that went away with 503 service_unavailable and Retry-After', () => {
    const driverError = Object.assign(new Error('terminating connection'), { code: '57P01' });
    const queryFailed = Object.assign(new Error('terminating connection'), { driverError });

    const sent = answer(queryFailed);

    expect(sent.status).toBe(503);
    expect(sent.headers['Retry-After']).toBe('1');
    expect(sent.body).toMatchObject({ status: 503, code: 'service_unavailable' });
    expect(JSON.stringify(sent.body)).not.toContain('terminating');
  });

  it('answers a refused connection with 503', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });

    expect(answer(refused).status).toBe(503);
  });

  it('still answers an unknown failure with a generic 500', () => {
    const sent = answer(new TypeError('x is undefined'));

    expect(sent.status).toBe(500);
    expect(sent.body).toMatchObject({ code: 'internal_error' });
    expect(sent.headers['Retry-After']).toBeUndefined();
  });
});
