import { AppError } from './app-error.js';

export class IdempotencyKeyMissingError extends AppError {
  constructor() {
    super(400, 'idempotency_key_missing', 'Idempotency-Key missing', {
      detail: 'POST requests that create payments need an Idempotency-Key header.',
    });
  }
}

export class IdempotencyKeyInvalidError extends AppError {
  constructor() {
    super(400, 'idempotency_key_invalid', 'Idempotency-Key invalid', {
      detail: 'An Idempotency-Key is 16-255 characters of A-Z, a-z, 0-9, _ and -.',
    });
  }
}

export class IdempotencyKeyReusedError extends AppError {
  constructor() {
    super(422, 'idempotency_key_reused', 'Idempotency-Key reused', {
      detail: 'This key was already used with a different request; use a new key.',
    });
  }
}

export class IdempotencyRequestInProgressError extends AppError {
  constructor(retryAfterSeconds: number) {
    super(409, 'idempotency_request_in_progress', 'Request in progress', {
      detail: 'A request with this key is still being processed; retry after a moment.',
      headers: { 'Retry-After': String(retryAfterSeconds) },
    });
  }
}
