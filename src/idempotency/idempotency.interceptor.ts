import { Injectable } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor, Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { defer, from, lastValueFrom } from 'rxjs';
import type { Observable } from 'rxjs';

import { requirePrincipal } from '../auth/principal.js';
import { RequestValidationPipe } from '../common/http/validation.pipe.js';
import { IDEMPOTENT_BODY } from './idempotency.constants.js';
import { parseIdempotencyKey } from './idempotency-key.js';
import { IdempotentExecutor } from './idempotent-executor.js';
import { requestFingerprint } from './fingerprint.js';
import type { RequestWithOperation } from './resumable-operation.js';
import type { StoredResponse } from './stored-response.js';
import { writeStoredResponse } from './stored-response.writer.js';

/**
 * Owns replay for a route. Before the handler runs it validates the key and the body (so a
 * refused request claims nothing), then lets the executor decide: replay, refuse, wait, or
 * run the handler with the request's {@link ResumableOperation}. The handler sends its own
 * first response (a stored one) and returns it.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly validation = new RequestValidationPipe();

  constructor(
    private readonly reflector: Reflector,
    private readonly executor: IdempotentExecutor,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return defer(() => from(this.run(context, next)));
  }

  private async run(context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithOperation>();
    const response = http.getResponse<Response>();
    const key = parseIdempotencyKey(request.headers['idempotency-key']);

    const claim = {
      accountId: requirePrincipal(request).accountId,
      key,
      fingerprint: requestFingerprint(request.method, request.path, request.body),
    };
    const result = await this.executor.execute(
      claim,
      async (operation) => {
        request.operation = operation;
        return (await lastValueFrom(next.handle(), { defaultValue: undefined })) as StoredResponse;
      },
      () => this.validateBody(context, request),
    );

    if (result.replayed) writeStoredResponse(response, result.response, true);

    return result.response;
  }

  /** Validates once: the handler's pipe receives the validated instance and passes it on. */
  private async validateBody(context: ExecutionContext, request: RequestWithOperation) {
    const bodyType = this.reflector.get<Type<unknown> | undefined>(
      IDEMPOTENT_BODY,
      context.getHandler(),
    );
    if (!bodyType) return;

    request.body = await this.validation.transform(request.body, {
      type: 'body',
      metatype: bodyType,
    });
  }
}
