import { Injectable, Logger } from '@nestjs/common';
import type { CallHandler, ExecutionContext, NestInterceptor, Type } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import type { Counter } from 'prom-client';
import { defer, from, lastValueFrom } from 'rxjs';
import type { Observable } from 'rxjs';
import type { EntityManager } from 'typeorm';

import { requirePrincipal } from '../auth/principal.js';
import { AppError } from '../common/errors/app-error.js';
import {
  IdempotencyKeyReusedError,
  IdempotencyRequestInProgressError,
} from '../common/errors/idempotency-errors.js';
import { RequestValidationPipe } from '../common/http/validation.pipe.js';
import { InjectMetric, METRIC } from '../metrics/metric-names.js';
import { IDEMPOTENT_BODY } from './idempotency.constants.js';
import { parseIdempotencyKey } from './idempotency-key.js';
import type { InProgressRecord } from './idempotency-record.js';
import { IdempotencyService } from './idempotency.service.js';
import { requestFingerprint } from './fingerprint.js';
import type { RequestWithOperation, ResumableOperation } from './resumable-operation.js';
import type { StoredResponse } from './stored-response.js';
import { writeStoredResponse } from './stored-response.writer.js';

/**
 * Owns replay. Before the handler runs it validates the key and body, then claims the key:
 * a completed key is replayed, a different request under the key is refused, a key in use is
 * waited for. A handler that fails transiently releases its claim so a retry resumes it.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);
  private readonly validation = new RequestValidationPipe();

  constructor(
    private readonly reflector: Reflector,
    private readonly idempotency: IdempotencyService,
    @InjectMetric(METRIC.idempotentReplays) private readonly replays: Counter,
    @InjectMetric(METRIC.concurrentConflicts) private readonly conflicts: Counter<'kind'>,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return defer(() => from(this.run(context, next)));
  }

  private async run(context: ExecutionContext, next: CallHandler): Promise<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<RequestWithOperation>();
    const response = http.getResponse<Response>();
    const key = parseIdempotencyKey(request.headers['idempotency-key']);
    await this.validateBody(context, request.body);

    const { accountId } = requirePrincipal(request);
    const fingerprint = requestFingerprint(request.method, request.path, request.body);
    const claim = await this.idempotency.claimOrWait({ accountId, key, fingerprint });

    switch (claim.kind) {
      case 'completed':
        this.replays.inc();
        writeStoredResponse(response, claim.record.response, true);
        return undefined;
      case 'mismatch':
        this.conflicts.inc({ kind: 'key_reused' });
        throw new IdempotencyKeyReusedError();
      case 'busy':
        this.conflicts.inc({ kind: 'in_progress' });
        throw new IdempotencyRequestInProgressError(this.secondsUntil(claim.lockedUntil));
      case 'acquired':
        request.operation = this.operationFor(claim.record, key);
        return this.execute(next, claim.record, claim.fresh);
    }
  }

  private async execute(next: CallHandler, record: InProgressRecord, fresh: boolean) {
    try {
      return await lastValueFrom(next.handle(), { defaultValue: undefined });
    } catch (error) {
      await this.giveBack(record, fresh, error);
      throw error;
    }
  }

  /** A refusal before any work forgets a fresh claim; anything else only releases the lock. */
  private async giveBack(record: InProgressRecord, fresh: boolean, error: unknown) {
    const refusedEarly = error instanceof AppError && error.status < 500;
    try {
      if (refusedEarly && fresh) await this.idempotency.forget(record.id);
      else await this.idempotency.release(record.id);
    } catch (releaseError) {
      this.logger.warn({ err: releaseError, recordId: record.id }, 'could not release claim');
    }
  }

  private operationFor(record: InProgressRecord, key: string): ResumableOperation {
    const idempotency = this.idempotency;

    return {
      resourceId: record.resourceId,
      recoveryPoint: record.recoveryPoint,
      clientKey: key,
      checkpoint: (manager: EntityManager, point: string) =>
        idempotency.checkpoint(manager, record.id, point),
      complete: (manager: EntityManager, stored: StoredResponse) =>
        idempotency.complete(manager, record.id, stored),
    };
  }

  private async validateBody(context: ExecutionContext, body: unknown): Promise<void> {
    const bodyType = this.reflector.get<Type<unknown> | undefined>(
      IDEMPOTENT_BODY,
      context.getHandler(),
    );
    if (bodyType) await this.validation.transform(body, { type: 'body', metatype: bodyType });
  }

  private secondsUntil(lockedUntil: Date): number {
    return Math.max(1, Math.ceil((lockedUntil.getTime() - Date.now()) / 1000));
  }
}
