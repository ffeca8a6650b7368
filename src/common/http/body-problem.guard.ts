import { Injectable } from '@nestjs/common';
import type { CanActivate, ExecutionContext } from '@nestjs/common';

import type { RequestWithBodyProblem } from './json-body.middleware.js';

/**
 * Raises the problem the JSON body middleware found (malformed JSON, too large, not JSON, a
 * hostile shape). Registered as the first global guard, so such a body is refused before
 * anything else is decided, exactly as if the parser had answered, but after the middleware
 * that identifies and audits the request ran.
 */
@Injectable()
export class BodyProblemGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const problem = context.switchToHttp().getRequest<RequestWithBodyProblem>().bodyProblem;
    if (problem) throw problem;

    return true;
  }
}
