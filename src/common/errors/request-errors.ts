import { AppError } from './app-error.js';
import type { FieldProblem } from './app-error.js';

export class ValidationFailedError extends AppError {
  constructor(errors: FieldProblem[]) {
    super(400, 'validation_failed', 'Validation failed', {
      detail: 'The request has invalid fields; see errors.',
      extras: { errors },
    });
  }
}

export class MalformedJsonError extends AppError {
  constructor() {
    super(400, 'malformed_json', 'Malformed JSON', { detail: 'The body is not valid JSON.' });
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(limitBytes: number) {
    super(413, 'payload_too_large', 'Payload too large', {
      detail: `The body exceeds the limit of ${limitBytes} bytes.`,
    });
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor() {
    super(415, 'unsupported_media_type', 'Unsupported media type', {
      detail: 'Send the body as application/json.',
    });
  }
}

export class NotFoundError extends AppError {
  constructor(detail = 'The resource does not exist.') {
    super(404, 'not_found', 'Not found', { detail });
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'A valid API key is required: Authorization: Bearer <key>.') {
    super(401, 'unauthorized', 'Unauthorized', {
      detail,
      headers: { 'WWW-Authenticate': 'Bearer' },
    });
  }
}

export class ServiceUnavailableError extends AppError {
  constructor(detail: string, retryAfterSeconds = 1, cause?: unknown) {
    super(503, 'service_unavailable', 'Service unavailable', {
      detail,
      headers: { 'Retry-After': String(retryAfterSeconds) },
      cause,
    });
  }
}
