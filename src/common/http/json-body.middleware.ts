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
const UNSTORABLE_TEXT = /[\u0000\p{Cs}]/u;
const UNSTORABLE_MESSAGE = 'must not contain NUL characters or unpaired surrogates';

function hasBody(request: Request): boolean {
  const length = request.headers['content-length'];

  return (
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0')
  );
}

/** JSON, or a `+json` type, in UTF-8: RFC 8259 allows no other encoding between systems. */
function isJsonContentType(request: Request): boolean {
  const [type, ...parameters] = (request.headers['content-type'] ?? '')
    .split(';')
    .map((part) => part.trim().toLowerCase());
  const charset = parameters.find((parameter) => parameter.startsWith('charset='));
  const utf8 = charset === undefined || ['charset=utf-8', 'charset="utf-8"'].includes(charset);

  return utf8 && (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type));
}

export interface HostileShape {
  field: string;
  message: string;
}

/**
 * Finds the first part of a parsed body that must not reach the application: a key that could
 * pollute prototypes, nesting deeper than MAX_DEPTH, or text PostgreSQL cannot store (NUL, or
 * a lone UTF-16 surrogate), which would otherwise fail deep in a query as a server error.
 */
export function findHostileShape(value: unknown, path = '', depth = 0): HostileShape | null {
  const field = path || '(body)';
  if (typeof value === 'string') {
    return UNSTORABLE_TEXT.test(value) ? { field, message: UNSTORABLE_MESSAGE } : null;
  }
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_DEPTH) return { field, message: `must not nest deeper than ${MAX_DEPTH}` };

  for (const key of Object.keys(value)) {
    const childPath = path ? `${path}.${key}` : key;
    if (FORBIDDEN_KEYS.has(key)) return { field: childPath, message: 'is a reserved key' };
    if (UNSTORABLE_TEXT.test(key)) return { field: childPath, message: UNSTORABLE_MESSAGE };

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
  // Not strict: `"text"` or `null` is valid JSON, refused later as "must be a JSON object".
  const parse = express.json({ limit: limitBytes, strict: false, type: () => true });

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
        request.body = undefined;
        return refuse(new ValidationFailedError([hostile]));
      }

      next();
    });
  };
}
