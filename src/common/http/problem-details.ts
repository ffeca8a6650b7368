import type { Request, Response } from 'express';

import { AppError } from '../errors/app-error.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  [extra: string]: unknown;
}

export function problemTypeUri(code: string): string {
  return `urn:payments-api:problem:${code}`;
}

export function toProblemDetails(error: AppError, instance: string): ProblemDetails {
  return {
    ...error.extras,
    type: problemTypeUri(error.code),
    title: error.title,
    status: error.status,
    detail: error.detail,
    instance,
    code: error.code,
  };
}

/** The request path without its query string: a query may carry values worth not echoing. */
export function instanceOf(request: Request): string {
  return (request.originalUrl ?? request.url ?? '/').split('?')[0];
}

export function sendProblem(request: Request, response: Response, error: AppError): void {
  for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);

  response
    .status(error.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(toProblemDetails(error, instanceOf(request))));
}
