import { Injectable } from '@nestjs/common';
import type { NestMiddleware } from '@nestjs/common';
import type { NextFunction, Response } from 'express';

import { UnauthorizedError } from '../common/errors/request-errors.js';
import { ApiKeyService } from './api-key.service.js';
import type { AuthenticatedRequest } from './principal.js';

const BEARER = /^Bearer ([\x21-\x7e]{1,200})$/i;

/**
 * Identifies the caller before any guard runs, so the rate limiter knows whether to count
 * the request per account or per IP only. It refuses nothing itself: the API-key guard
 * does, after the limiter has counted a failed attempt against the caller's IP.
 */
@Injectable()
export class AuthenticationMiddleware implements NestMiddleware {
  constructor(private readonly apiKeys: ApiKeyService) {}

  async use(request: AuthenticatedRequest, _response: Response, next: NextFunction) {
    try {
      await this.identify(request);
      next();
    } catch (error) {
      next(error);
    }
  }

  private async identify(request: AuthenticatedRequest): Promise<void> {
    const header = request.headers.authorization;
    if (header === undefined) {
      request.authFailure = new UnauthorizedError();
      return;
    }

    const match = BEARER.exec(header.trim());
    const principal = match ? await this.apiKeys.authenticate(match[1]) : null;
    if (principal) request.principal = principal;
    else
      request.authFailure = new UnauthorizedError('The API key is malformed, unknown or revoked.');
  }
}
