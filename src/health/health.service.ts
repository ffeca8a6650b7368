import { Inject, Injectable, Logger, Optional, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import type { HealthCheckResult, HealthCheckStatus, HealthIndicatorResult } from '@nestjs/terminus';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { ResilientProcessor } from '../processor/resilient.processor.js';
import { REDIS_CLIENT } from '../redis/redis.module.js';
import type { RedisClient } from '../redis/redis.module.js';
import { DrainService } from './drain.service.js';
import { RATE_LIMIT_HEALTH } from '../common/health/dependency-health.js';
import type {
  DependencyHealth,
  DependencyHealthProvider,
} from '../common/health/dependency-health.js';

const DATABASE_TIMEOUT_MS = 1500;
const REDIS_TIMEOUT_MS = 500;
const PROVIDER_TIMEOUT_MS = 1000;
/** Probes arriving together share one database round trip. */
const DATABASE_CACHE_MS = 500;

/** The outcome of every check; `ready` is false while draining or a required service is down. */
export interface HealthReport {
  ready: boolean;
  status: HealthCheckStatus;
  services: Record<string, DependencyHealth>;
}

/**
 * Checks what the service stands on, each check bounded in time. The database is required; a
 * Redis outage is `degraded` because idempotency rests on PostgreSQL and the rate limiter has
 * its own fallback; an open processor breaker is `degraded` because reads, lists and replays
 * still work and every instance shares the one processor, so taking this instance out of
 * rotation would not help. Failure details never include driver text.
 */
@Injectable()
export class HealthService {
  private readonly logger = new Logger(HealthService.name);

  constructor(
    private readonly checks: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    private readonly processor: ResilientProcessor,
    private readonly drain: DrainService,
    @Optional()
    @Inject(RATE_LIMIT_HEALTH)
    private readonly rateLimiting: DependencyHealthProvider | null = null,
  ) {}

  async report(): Promise<HealthReport> {
    const result = await this.runChecks();
    const services = result.details as Record<string, DependencyHealth>;
    if (this.drain.draining) return { ready: false, status: 'shutting_down', services };

    return { ready: result.status !== 'error', status: result.status, services };
  }

  private async runChecks(): Promise<HealthCheckResult> {
    const indicators = [
      () => this.database(),
      () => this.redisHealth(),
      () => this.processorHealth(),
      ...(this.rateLimiting ? [() => this.rateLimitingHealth(this.rateLimiting!)] : []),
    ];
    try {
      return await this.checks.check(indicators);
    } catch (error) {
      if (error instanceof ServiceUnavailableException) {
        return error.getResponse() as HealthCheckResult;
      }
      throw error;
    }
  }

  private database(): PromiseLike<HealthIndicatorResult> {
    return this.indicators
      .check('database')
      .attempt(async () => {
        await this.dataSource.query('SELECT 1').catch((error: unknown) => {
          this.logger.warn({ err: error }, 'database health check failed');
          throw new Error('the database did not answer');
        });
      })
      .withTimeout(DATABASE_TIMEOUT_MS)
      .cacheFor(DATABASE_CACHE_MS);
  }

  private async redisHealth(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('redis');
    if (this.redis === null) {
      return indicator.up({ mode: 'embedded', message: 'in-process store; one instance only' });
    }

    const mode = 'nodes' in this.redis ? 'cluster' : 'server';
    const probe = await this.indicators
      .check('redis')
      .attempt(() => this.redis!.ping().then(() => undefined))
      .withTimeout(REDIS_TIMEOUT_MS);
    if (probe.redis.status === 'up')
      return indicator.up({ mode, responseTime: probe.redis.responseTime });

    return indicator.degraded({
      mode,
      message: 'unreachable: idempotency runs on PostgreSQL alone, rate limits on their fallback',
    });
  }

  private processorHealth(): HealthIndicatorResult {
    const indicator = this.indicators.check('processor');
    const circuit = this.processor.circuitState;
    if (circuit === 'closed') return indicator.up({ circuit });
    if (circuit === 'half_open') {
      return indicator.degraded({ circuit, message: 'probing the processor after failures' });
    }

    return indicator.degraded({
      circuit,
      retry_after_seconds: this.processor.secondsUntilProbe(),
      message: 'payments are refused with 503 processor_unavailable; reads still work',
    });
  }

  private async rateLimitingHealth(provider: DependencyHealthProvider) {
    const indicator = this.indicators.check('rate_limiting');
    const timeout = new Promise<never>((_resolve, reject) => {
      setTimeout(() => reject(new Error('timeout')), PROVIDER_TIMEOUT_MS).unref();
    });
    try {
      const { status, ...details } = await Promise.race([provider.health(), timeout]);
      if (status === 'down') return indicator.down(details);

      return status === 'degraded' ? indicator.degraded(details) : indicator.up(details);
    } catch (error) {
      this.logger.warn({ err: error }, 'rate limiting health check failed');
      return indicator.down({ message: 'the rate limiter did not report its health' });
    }
  }
}
