import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ServiceHealthView {
  @ApiProperty({ enum: ['up', 'degraded', 'down'] })
  status!: string;

  @ApiPropertyOptional({ description: 'Why the service is not up.' })
  message?: string;

  @ApiPropertyOptional({ description: 'Milliseconds the check took.' })
  responseTime?: number;
}

export class RedisHealthView extends ServiceHealthView {
  @ApiProperty({
    enum: ['embedded', 'server', 'cluster'],
    description: '`embedded`: the in-process store stands in for Redis (one instance only).',
  })
  mode!: string;
}

export class ProcessorHealthView extends ServiceHealthView {
  @ApiProperty({ enum: ['closed', 'half_open', 'open'], description: 'The circuit breaker.' })
  circuit!: string;

  @ApiPropertyOptional({ description: 'While open: seconds until the breaker probes again.' })
  retry_after_seconds?: number;
}

export class ServicesHealthView {
  @ApiProperty({ type: ServiceHealthView, description: 'Required: down fails readiness.' })
  database!: ServiceHealthView;

  @ApiProperty({ type: RedisHealthView, description: 'Unreachable is degraded, never down.' })
  redis!: RedisHealthView;

  @ApiProperty({ type: ProcessorHealthView, description: 'An open breaker is degraded.' })
  processor!: ProcessorHealthView;

  @ApiPropertyOptional({ type: ServiceHealthView, description: 'When the limiter reports one.' })
  rate_limiting?: ServiceHealthView;
}

export class HealthView {
  @ApiProperty({
    enum: ['ok', 'degraded', 'error', 'shutting_down'],
    description: '`error` and `shutting_down` come with 503.',
  })
  status!: string;

  @ApiProperty({ type: ServicesHealthView })
  services!: ServicesHealthView;
}

export class LivenessView {
  @ApiProperty({ enum: ['up'] })
  status!: string;
}

export class ReadinessView {
  @ApiProperty({ enum: ['ok', 'degraded', 'error', 'shutting_down'] })
  status!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { $ref: '#/components/schemas/ServiceHealthView' },
    description: 'Every check by name.',
  })
  details!: Record<string, ServiceHealthView>;
}
