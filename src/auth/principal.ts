import type { Request } from 'express';

import type { UnauthorizedError } from '../common/errors/request-errors.js';

/** Who is calling: the account an API key belongs to. */
export interface Principal {
  accountId: string;
  keyId: string;
}

export interface AuthenticatedRequest extends Request {
  principal?: Principal;
  authFailure?: UnauthorizedError;
}

export function principalOf(request: Request): Principal | undefined {
  return (request as AuthenticatedRequest).principal;
}

export function requirePrincipal(request: Request): Principal {
  const principal = principalOf(request);
  if (!principal) throw new Error('route reached without an authenticated principal');

  return principal;
}
