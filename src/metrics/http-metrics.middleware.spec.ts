import { EventEmitter } from 'node:events';

import type { Request, Response } from 'express';
import type { Histogram } from 'prom-client';

import {
  HttpMetricsMiddleware,
  UNMATCHED_ROUTE,
  routeTemplateOf,
} from './http-metrics.middleware.js';

type Labels = Record<string, string>;

function requestWith(route?: string, baseUrl = ''): Request {
  return {
    method: 'GET',
    baseUrl,
    route: route === undefined ? undefined : { path: route },
  } as unknown as Request;
}

describe('routeTemplateOf', () => {
  it('is the matched template, never the raw path', () => {
    expect(routeTemplateOf(requestWith('/api/v1/payments/:transaction_id'))).toBe(
      '/api/v1/payments/:transaction_id',
    );
    expect(routeTemplateOf(requestWith('/:id', '/mounted'))).toBe('/mounted/:id');
  });

  it('is "unmatched" without a route or for a catch-all such as the not-found handler', () => {
    expect(routeTemplateOf(requestWith())).toBe(UNMATCHED_ROUTE);
    expect(routeTemplateOf(requestWith('{/*splat}'))).toBe(UNMATCHED_ROUTE);
    expect(routeTemplateOf(requestWith('/*path'))).toBe(UNMATCHED_ROUTE);
  });
});

describe('HttpMetricsMiddleware', () => {
  it('observes one duration per finished response, labelled at the end', () => {
    const observed: Labels[] = [];
    const histogram = { startTimer: () => (labels: Labels) => observed.push(labels) };
    const middleware = new HttpMetricsMiddleware(histogram as unknown as Histogram<string>);
    const request = requestWith() as Request & { route?: { path: string } };
    const response = Object.assign(new EventEmitter(), { statusCode: 200 });
    let passedOn = false;

    middleware.handler(request, response as unknown as Response, () => (passedOn = true));
    request.route = { path: '/api/v1/payments/:transaction_id' };
    response.statusCode = 404;
    response.emit('finish');

    expect(passedOn).toBe(true);
    expect(observed).toEqual([
      { method: 'GET', route: '/api/v1/payments/:transaction_id', status_code: '404' },
    ]);
  });
});
