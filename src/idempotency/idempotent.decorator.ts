import { SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import type { Type } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

import { IDEMPOTENT_BODY } from './idempotency.constants.js';
import { IdempotencyInterceptor } from './idempotency.interceptor.js';

/**
 * Makes a POST route exactly-once per (account, Idempotency-Key). `body` is the DTO the body is
 * validated against before a key is claimed, so a refused request stores nothing.
 */
export function Idempotent(options: { body: Type<unknown> }) {
  return applyDecorators(
    SetMetadata(IDEMPOTENT_BODY, options.body),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: true,
      description: '16-255 characters of A-Z a-z 0-9 _ -; reuse it on every retry.',
    }),
  );
}
