import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Histogram } from 'prom-client';

import { InjectMetric, METRIC } from './metric-names.js';

/** The route label of a request that matched no route (404s, static files). */
export const UNMATCHED_ROUTE = 'unmatched';

/** A route that matches any path, such as Nest's not-found handler (`{/*splat}`). */
const CATCH_ALL = /^\{?\/?\*/;

/** The route template Express matched (`/api/v1/payments/:transaction_id`), never the raw path. */
export function routeTemplateOf(request: Request): string {
  const path: unknown = (request as Request & { route?: { path?: unknown } }).route?.path;
  if (typeof path !== 'string' || CATCH_ALL.test(path)) return UNMATCHED_ROUTE;

  return `${request.baseUrl ?? ''}${path}`;
}

/**
 * Times every request into `http_request_duration_seconds`. Installed on Express before any
 * other middleware, so refusals answered before routing are measured too; labels stay bounded
 * because the route is the matched template or `unmatched`.
 */
@Injectable()
export class HttpMetricsMiddleware {
  constructor(
    @InjectMetric(METRIC.httpDuration)
    private readonly duration: Histogram<'method' | 'route' | 'status_code'>,
  ) {}

  readonly handler: RequestHandler = (request: Request, response: Response, next: NextFunction) => {
    const stop = this.duration.startTimer();
    response.once('finish', () => {
      stop({
        method: request.method,
        route: routeTemplateOf(request),
        status_code: String(response.statusCode),
      });
    });
    next();
  };
}
