import { ApiProperty } from '@nestjs/swagger';

import { PAYMENT_METHODS } from '../payment.entity.js';

export class PaymentView {
  @ApiProperty({ format: 'uuid' })
  transaction_id!: string;

  @ApiProperty({ enum: ['succeeded', 'failed', 'pending'] })
  status!: string;

  @ApiProperty({ example: 49.99 })
  amount!: number;

  @ApiProperty({ example: 'USD' })
  currency!: string;

  @ApiProperty({ nullable: true, type: String })
  description!: string | null;

  @ApiProperty({ enum: PAYMENT_METHODS })
  payment_method!: string;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;

  @ApiProperty()
  idempotency_key!: string;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}

export class PaymentPage {
  @ApiProperty({ type: [PaymentView] })
  data!: PaymentView[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}
