import { Logger } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';

import { ResilientProcessor } from '../processor/resilient.processor.js';
import type { CircuitStateName } from '../processor/resilient.processor.js';
import { REDIS_CLIENT } from '../redis/redis.module.js';
import { DrainService } from './drain.service.js';
import { HealthService } from './health.service.js';
import { RATE_LIMIT_HEALTH } from '../common/health/dependency-health.js';
import type { DependencyHealth } from '../common/health/dependency-health.js';

interface Fakes {
  query?: () => Promise<unknown>;
  redis?: { ping: () => Promise<string> } | null;
  circuit?: CircuitStateName;
  rateLimiting?: () => DependencyHealth;
}

async function healthWith(fakes: Fakes) {
  const providers = [
    HealthService,
    DrainService,
    { provide: DataSource, useValue: { query: fakes.query ?? (async () => [{ one: 1 }]) } },
    { provide: REDIS_CLIENT, useValue: fakes.redis ?? null },
    {
      provide: ResilientProcessor,
      useValue: { circuitState: fakes.circuit ?? 'closed', secondsUntilProbe: () => 7 },
    },
    ...(fakes.rateLimiting
      ? [{ provide: RATE_LIMIT_HEALTH, useValue: { health: fakes.rateLimiting } }]
      : []),
  ];
  const module = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
    providers,
  }).compile();

  return { health: module.get(HealthService), drain: module.get(DrainService) };
}

describe('HealthService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('is ready with every service up and Redis replaced by the in-process store', async () => {
    const { health } = await healthWith({});

    const report = await health.report();

    expect(report.ready).toBe(true);
    expect(report.status).toBe('ok');
    expect(report.services.database.status).toBe('up');
    expect(report.services.redis).toMatchObject({ status: 'up', mode: 'embedded' });
    expect(report.services.processor).toMatchObject({ status: 'up', circuit: 'closed' });
    expect(report.services.rate_limiting).toBeUndefined();
  });

  it('is not ready when the database fails, and says so without the driver’s words', async () => {
    const { health } = await healthWith({
      query: async () => {
        throw new Error('connect ECONNREFUSED 10.0.0.5:5432');
      },
    });

    const report = await health.report();

    expect(report.ready).toBe(false);
    expect(report.status).toBe('error');
    expect(report.services.database).toMatchObject({
      status: 'down',
      message: 'the database did not answer',
    });
    expect(JSON.stringify(report)).not.toContain('ECONNREFUSED');
  });

  it('stays ready with Redis unreachable or the breaker open, reporting degraded', async () => {
    const { health } = await healthWith({
      redis: { ping: async () => Promise.reject(new Error('Connection is closed.')) },
      circuit: 'open',
    });

    const report = await health.report();

    expect(report.ready).toBe(true);
    expect(report.status).toBe('degraded');
    expect(report.services.redis).toMatchObject({ status: 'degraded', mode: 'server' });
    expect(report.services.processor).toMatchObject({
      status: 'degraded',
      circuit: 'open',
      retry_after_seconds: 7,
    });
  });

  it('reports shutting_down and not ready while draining', async () => {
    const { health, drain } = await healthWith({});

    drain.begin();
    const report = await health.report();

    expect(report).toMatchObject({ ready: false, status: 'shutting_down' });
  });

  it('includes a plugged-in rate limiter, whose down fails readiness', async () => {
    const { health } = await healthWith({
      rateLimiting: () => ({ status: 'down', mode: 'closed', message: 'store unreachable' }),
    });

    const report = await health.report();

    expect(report.ready).toBe(false);
    expect(report.services.rate_limiting).toMatchObject({ status: 'down', mode: 'closed' });
  });
});
