import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

import { PageQuery } from '../../common/http/page.query.js';

export class ListPaymentsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['succeeded', 'failed', 'pending'] })
  @IsOptional()
  @IsIn(['succeeded', 'failed', 'pending'], { message: 'must be succeeded, failed or pending' })
  status?: 'succeeded' | 'failed' | 'pending';
}
