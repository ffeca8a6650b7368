import { createParamDecorator } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { EntityManager } from 'typeorm';

import type { StoredResponse } from './stored-response.js';

/**
 * What a guarded handler sees of idempotency: a stable id for the resource it creates (the
 * same on every retry of one logical request), recovery points, and a way to commit its final
 * response in its own transaction. It never sees the key itself.
 */
export interface ResumableOperation {
  readonly resourceId: string;
  readonly recoveryPoint: string;
  /** The client's key, for display on the resource only. */
  readonly clientKey: string;
  checkpoint(manager: EntityManager, point: string): Promise<void>;
  complete(manager: EntityManager, response: StoredResponse): Promise<void>;
}

export interface RequestWithOperation extends Request {
  operation?: ResumableOperation;
}

/** Injects the request's {@link ResumableOperation}; the route must be @Idempotent(). */
export const Operation = createParamDecorator((_data: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<RequestWithOperation>();
  if (!request.operation) throw new Error('@Operation() used on a route without @Idempotent()');

  return request.operation;
});
