import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

import { PROBLEM_CONTENT_TYPE } from './problem-details.js';

export class FieldProblemView {
  @ApiProperty({ example: 'metadata.order_id' })
  field!: string;

  @ApiProperty({ example: 'must be at most 500 characters' })
  message!: string;
}

/** RFC 9457 problem details, as every error of this API is answered. */
export class ProblemDetailsView {
  @ApiProperty({ example: 'urn:payments-api:problem:validation_failed' })
  type!: string;

  @ApiProperty({ example: 'Validation failed' })
  title!: string;

  @ApiProperty({ example: 400 })
  status!: number;

  @ApiProperty({ example: 'The request has invalid fields; see errors.' })
  detail!: string;

  @ApiProperty({ example: '/api/v1/payments' })
  instance!: string;

  @ApiProperty({ description: 'Stable machine-readable code.', example: 'validation_failed' })
  code!: string;

  @ApiPropertyOptional({ type: [FieldProblemView], description: 'On validation_failed.' })
  errors?: FieldProblemView[];

  @ApiPropertyOptional({ description: 'On rate_limited: the exhausted scope.', example: 'user' })
  scope?: string;
}

/** When each status is answered; the codes are those of the contract's error table. */
const MEANING: Record<number, string> = {
  400: 'validation_failed, malformed_json, idempotency_key_missing or idempotency_key_invalid',
  401: 'unauthorized: the API key is missing, malformed, unknown or revoked',
  402: 'payment_declined: a final answer, stored and replayed',
  404: 'not_found: no such payment for this account',
  409: 'idempotency_request_in_progress: the same key is still executing; see Retry-After',
  413: 'payload_too_large: the body is over the configured limit',
  415: 'unsupported_media_type: the body is not application/json',
  422: 'idempotency_key_reused: the key was used with a different request',
  429: 'rate_limited: a limit is exhausted; see Retry-After and scope',
  503: 'processor_unavailable or service_unavailable; see Retry-After',
};

/** Documents error answers as `application/problem+json` problem details. */
export function ApiProblemResponses(...statuses: number[]) {
  const schema = { $ref: getSchemaPath(ProblemDetailsView) };

  return applyDecorators(
    ApiExtraModels(ProblemDetailsView, FieldProblemView),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: MEANING[status] ?? 'An error, as problem details.',
        content: { [PROBLEM_CONTENT_TYPE]: { schema } },
      }),
    ),
  );
}
