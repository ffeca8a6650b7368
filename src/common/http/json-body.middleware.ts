import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';

import { AppError } from '../errors/app-error.js';
import {
  MalformedJsonError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationFailedError,
} from '../errors/request-errors.js';

/** A body the middleware refused; answered by {@link BodyProblemGuard} once routing ran. */
export interface RequestWithBodyProblem extends Request {
  bodyProblem?: AppError;
}

const MAX_DEPTH = 8;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];

  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

function isJsonContentType(request: Request): boolean {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();

  return type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

/** Finds the first key that could pollute prototypes, or the first path nested too deep. */
export function findHostileShape(value: unknown, path = '', depth = 0): string | null {
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_DEPTH) return path || '(body)';

  for (const key of Object.keys(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return childPath;

    const found = findHostileShape((value as Record<string, unknown>)[key], childPath, depth + 1);
    if (found !== null) return found;
  }

  return null;
}

function parserErrorToAppError(error: { type?: string }, limitBytes: number): AppError {
  switch (error.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(limitBytes);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new UnsupportedMediaTypeError();
    default:
      return new MalformedJsonError();
  }
}

/**
 * Parses JSON bodies only. A body it cannot accept is not answered here: the problem is kept on
 * the request and raised by `BodyProblemGuard`, so the caller is identified and the request is
 * audited and measured like any other refusal. Nest's own parser is off because its errors
 * would bypass the problem-details format.
 */
export function jsonBodyMiddleware(limitBytes: number): RequestHandler {
  const parse = express.json({ limit: limitBytes, strict: true, type: () => true });

  return (request: RequestWithBodyProblem, response: Response, next: NextFunction) => {
    const refuse = (problem: AppError) => {
      request.bodyProblem = problem;
      next();
    };
    if (!hasBody(request)) return next();
    if (!isJsonContentType(request)) return refuse(new UnsupportedMediaTypeError());

    parse(request, response, (error?: unknown) => {
      if (error) return refuse(parserErrorToAppError(error as object, limitBytes));

      const hostile = findHostileShape(request.body);
      if (hostile !== null) {
        const message = 'nesting too deep or a reserved key (__proto__, constructor, prototype)';
        request.body = undefined;
        return refuse(new ValidationFailedError([{ field: hostile, message }]));
      }

      next();
    });
  };
}
