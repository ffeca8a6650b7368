import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { register } from 'prom-client';

/** Serves the registry in the Prometheus text format; its path is set by the metrics module. */
@ApiTags('operations')
@Controller()
export class MetricsController {
  @Get()
  @ApiOperation({ operationId: 'getMetrics', summary: 'Prometheus metrics (text format)' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Every metric of this instance in the Prometheus text exposition format.',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  async index(@Res({ passthrough: true }) response: Response): Promise<string> {
    response.setHeader('Content-Type', register.contentType);

    return register.metrics();
  }
}
