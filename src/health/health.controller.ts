import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';

@ApiTags('health')
@Controller('health')
export class HealthController {
  @Get('live')
  @ApiOkResponse({ description: 'The process is up; dependencies are not consulted.' })
  live() {
    return { status: 'up' };
  }
}
