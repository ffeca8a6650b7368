import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { Public } from '../auth/public.decorator.js';
import { ApiProblemResponses } from '../common/http/api-problem.decorator.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig } from '../config/config.types.js';
import { RetryConfigView } from './dto/retry-config.view.js';
import { RateLimitPolicy } from './rate-limit.policy.js';
import { limitOf, windowSecondsOf } from './rate-limit.types.js';

/** Statuses a client may retry: in progress, limited, and transient server failures. */
const RETRYABLE_STATUS_CODES = [409, 429, 500, 502, 503, 504];

@ApiTags('rate-limits')
@Controller('api/v1/retry-config')
export class RetryConfigController {
  constructor(
    private readonly policy: RateLimitPolicy,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  @Public()
  @ApiOperation({
    operationId: 'getRetryConfig',
    summary: 'The retry policy clients should follow, from live configuration',
  })
  @ApiOkResponse({ type: RetryConfigView })
  @ApiProblemResponses(429)
  retryConfig(): RetryConfigView {
    const retry = this.config.clientRetry;

    return {
      max_retries: retry.maxRetries,
      base_delay_ms: retry.baseDelayMs,
      max_delay_ms: retry.maxDelayMs,
      backoff: 'exponential',
      jitter: 'full',
      retryable_status_codes: RETRYABLE_STATUS_CODES,
      respect_retry_after: true,
      idempotency_key_header: 'Idempotency-Key',
      reuse_idempotency_key_on_retry: true,
      rate_limits: this.policy.rules().map(({ scope, rule }) => ({
        scope,
        algorithm: rule.algorithm,
        limit: limitOf(rule),
        window_seconds: windowSecondsOf(rule),
      })),
    };
  }
}
