import { ApiProperty } from '@nestjs/swagger';

import { SCOPE_NAMES } from '../rate-limit.types.js';

export class ScopeRuleView {
  @ApiProperty({ enum: SCOPE_NAMES })
  scope!: string;

  @ApiProperty({ enum: ['sliding_window', 'token_bucket'] })
  algorithm!: string;

  @ApiProperty({ example: 100 })
  limit!: number;

  @ApiProperty({ example: 60 })
  window_seconds!: number;
}

export class RetryConfigView {
  @ApiProperty({ description: 'Retries after the first attempt.', example: 2 })
  max_retries!: number;

  @ApiProperty({ example: 50 })
  base_delay_ms!: number;

  @ApiProperty({ example: 1000 })
  max_delay_ms!: number;

  @ApiProperty({ enum: ['exponential'] })
  backoff!: 'exponential';

  @ApiProperty({ enum: ['full'], description: 'Wait a uniform random time up to the step.' })
  jitter!: 'full';

  @ApiProperty({ type: [Number], example: [409, 429, 500, 502, 503, 504] })
  retryable_status_codes!: number[];

  @ApiProperty({ description: 'Wait at least Retry-After when a response carries it.' })
  respect_retry_after!: boolean;

  @ApiProperty({ example: 'Idempotency-Key' })
  idempotency_key_header!: string;

  @ApiProperty({ description: 'Send the same Idempotency-Key on every retry of a request.' })
  reuse_idempotency_key_on_retry!: boolean;

  @ApiProperty({ type: [ScopeRuleView] })
  rate_limits!: ScopeRuleView[];
}
