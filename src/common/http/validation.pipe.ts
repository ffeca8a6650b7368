import { Injectable } from '@nestjs/common';
import type { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import type { ValidationError } from 'class-validator';

import type { FieldProblem } from '../errors/app-error.js';
import { ValidationFailedError } from '../errors/request-errors.js';

/**
 * A DTO with rules the per-field decorators cannot express. It is told which fields already
 * failed, so it checks the others and reports every problem of the request at once.
 */
export interface CrossFieldChecks {
  crossFieldProblems(failedFields: ReadonlySet<string>): FieldProblem[];
}

const PLAIN_TYPES = new Set<unknown>([String, Boolean, Number, Array, Object]);
const TYPE_CONSTRAINTS = new Set(['isNumber', 'isInt', 'isString', 'isObject', 'isBoolean']);

/** A value of the wrong type has one problem, not also every range rule it cannot meet. */
function reportedConstraints(constraints: Record<string, string>): [string, string][] {
  const all = Object.entries(constraints);
  const typeFailures = all.filter(([name]) => TYPE_CONSTRAINTS.has(name));

  return typeFailures.length > 0 ? typeFailures : all;
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = reportedConstraints(error.constraints ?? {}).map(([constraint, message]) => ({
      field,
      message: constraint === 'whitelistValidation' ? 'is not a known field' : message,
    }));

    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

function hasCrossFieldChecks(value: object): value is CrossFieldChecks {
  return typeof (value as Partial<CrossFieldChecks>).crossFieldProblems === 'function';
}

/**
 * Validates bodies and queries against their DTO classes: unknown fields are rejected, every
 * problem is reported with a dotted field path, and nothing is coerced in a body.
 */
@Injectable()
export class RequestValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const type = metadata.metatype;
    if (!type || PLAIN_TYPES.has(type) || metadata.type === 'custom') return value;
    if (value instanceof type) return value;
    if (
      metadata.type === 'body' &&
      (value === null || typeof value !== 'object' || Array.isArray(value))
    ) {
      throw new ValidationFailedError([{ field: '(body)', message: 'must be a JSON object' }]);
    }

    const instance = plainToInstance(type, value ?? {}) as object;
    const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true });
    const problems = flattenValidationErrors(errors);
    if (hasCrossFieldChecks(instance)) {
      problems.push(...instance.crossFieldProblems(new Set(problems.map(({ field }) => field))));
    }
    if (problems.length > 0) throw new ValidationFailedError(problems);

    return instance;
  }
}
