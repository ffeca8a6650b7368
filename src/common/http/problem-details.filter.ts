import { Catch, HttpException, Logger } from '@nestjs/common';
import type { ArgumentsHost, ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';

import { AppError } from '../errors/app-error.js';
import { isDependencyUnavailable } from '../errors/dependency-errors.js';
import {
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
} from '../errors/request-errors.js';
import { sendProblem } from './problem-details.js';

const CODES_BY_STATUS: Record<number, [string, string]> = {
  400: ['bad_request', 'Bad request'],
  401: ['unauthorized', 'Unauthorized'],
  403: ['forbidden', 'Forbidden'],
  405: ['method_not_allowed', 'Method not allowed'],
  406: ['not_acceptable', 'Not acceptable'],
  413: ['payload_too_large', 'Payload too large'],
  415: ['unsupported_media_type', 'Unsupported media type'],
  429: ['rate_limited', 'Too many requests'],
  503: ['service_unavailable', 'Service unavailable'],
};

/**
 * The one place errors become responses. Known errors pass through as problem details; a
 * dependency that cannot be reached is a 503 with Retry-After; anything else is logged in
 * full and answered with a generic 500 that reveals nothing.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    if (response.headersSent) return;

    sendProblem(request, response, this.toAppError(exception));
  }

  private toAppError(exception: unknown): AppError {
    if (exception instanceof AppError) return exception;
    if (exception instanceof HttpException) return this.fromHttpException(exception);
    if (isDependencyUnavailable(exception)) return this.unavailable(exception);

    this.logger.error({ err: exception }, 'unhandled error');

    return new AppError(500, 'internal_error', 'Internal server error', {
      detail: 'The server could not complete the request. It is safe to retry with the same key.',
    });
  }

  /** A dependency refused or dropped the connection: retrying soon may well succeed. */
  private unavailable(exception: unknown): AppError {
    this.logger.warn({ err: String(exception) }, 'dependency unavailable; answered 503');

    return new ServiceUnavailableError(
      'A service this request needs is unavailable. Retry shortly; with the same key, ' +
        'a payment is never charged twice.',
      1,
      exception,
    );
  }

  private fromHttpException(exception: HttpException): AppError {
    const status = exception.getStatus();
    // Express refuses a path whose percent-encoding is broken; such a path names nothing.
    if (status === 404 || exception.cause instanceof URIError) return new NotFoundError();
    if (status === 413) return new PayloadTooLargeError(0);

    const [code, title] = CODES_BY_STATUS[status] ?? ['http_error', 'HTTP error'];
    if (status >= 500) this.logger.error({ err: exception }, 'server error');

    return new AppError(status, code, title, { detail: title });
  }
}
