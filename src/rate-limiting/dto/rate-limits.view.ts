import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

import { SCOPE_NAMES } from '../rate-limit.types.js';

export class ScopeLimitView {
  @ApiProperty({ enum: SCOPE_NAMES })
  scope!: string;

  @ApiProperty({ enum: ['sliding_window', 'token_bucket'] })
  algorithm!: string;

  @ApiProperty({ description: 'Requests per window; a bucket’s capacity.', example: 100 })
  limit!: number;

  @ApiProperty({ description: 'Window length; 1 for a bucket.', example: 60 })
  window_seconds!: number;

  @ApiProperty({ description: 'Requests the caller may still make now.', example: 42 })
  remaining!: number;

  @ApiProperty({
    format: 'date-time',
    description: 'When the scope next gains a request (now when it is full).',
  })
  reset_at!: string;

  @ApiPropertyOptional({ description: 'Token bucket only: the most tokens it holds.' })
  capacity?: number;

  @ApiPropertyOptional({ description: 'Token bucket only: tokens added per second.' })
  refill_per_second?: number;
}

export class RateLimitsView {
  @ApiProperty({ type: [ScopeLimitView] })
  limits!: ScopeLimitView[];
}
