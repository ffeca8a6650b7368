import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class SimulateConcurrentQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 50, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'must be a whole number' })
  @Min(1, { message: 'must be at least 1' })
  @Max(50, { message: 'must be at most 50' })
  concurrent_count?: number;
}

export class SimulatedAttempt {
  @ApiProperty({ example: 201 })
  status!: number;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  transaction_id!: string | null;

  @ApiProperty()
  replayed!: boolean;
}

export class SimulateConcurrentResult {
  @ApiProperty()
  concurrent_count!: number;

  @ApiProperty({ description: 'Attempts that executed the payment (not replays).' })
  created!: number;

  @ApiProperty()
  replayed!: number;

  @ApiProperty({ description: 'Attempts refused with 409 or 422.' })
  conflicts!: number;

  @ApiProperty()
  unique_transaction_ids!: number;

  @ApiProperty({ type: [SimulatedAttempt] })
  results!: SimulatedAttempt[];
}
