import { Controller, Get, Header, Res } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';

import { HealthView, LivenessView, ReadinessView, ServiceHealthView } from './dto/health.view.js';
import { HealthService } from './health.service.js';
import type { HealthReport } from './health.service.js';
import type { DependencyHealth } from '../common/health/dependency-health.js';

interface HealthBody {
  status: HealthReport['status'];
  services: Record<string, DependencyHealth>;
}

const NO_STORE = 'no-store';

/** Outside /api/v1: no API key, no rate limits, so orchestrators can always probe. */
@ApiTags('health')
@ApiExtraModels(ServiceHealthView)
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @Header('Cache-Control', NO_STORE)
  @ApiOperation({
    operationId: 'getHealth',
    summary: 'Overall readiness with the state of every service it depends on',
  })
  @ApiOkResponse({ type: HealthView, description: 'Ready (some services may be degraded).' })
  @ApiServiceUnavailableResponse({
    type: HealthView,
    description: 'Not ready: a required service is down, or the instance is shutting down.',
  })
  async overall(@Res({ passthrough: true }) response: Response): Promise<HealthBody> {
    const report = await this.health.report();
    this.setStatus(response, report);

    return { status: report.status, services: report.services };
  }

  @Get('live')
  @Header('Cache-Control', NO_STORE)
  @ApiOperation({
    operationId: 'getLiveness',
    summary: 'Liveness: the process answers; no dependency is consulted',
  })
  @ApiOkResponse({ type: LivenessView })
  live(): { status: 'up' } {
    return { status: 'up' };
  }

  @Get('ready')
  @Header('Cache-Control', NO_STORE)
  @ApiOperation({
    operationId: 'getReadiness',
    summary: 'Readiness: whether this instance should receive traffic',
  })
  @ApiOkResponse({ type: ReadinessView })
  @ApiServiceUnavailableResponse({
    type: ReadinessView,
    description: 'A required service is down, or the instance is draining before shutdown.',
  })
  async ready(@Res({ passthrough: true }) response: Response) {
    const report = await this.health.report();
    this.setStatus(response, report);

    return { status: report.status, details: report.services };
  }

  private setStatus(response: Response, report: HealthReport): void {
    response.status(report.ready ? 200 : 503);
  }
}
