import { ApiProperty } from '@nestjs/swagger';

import { AUDIT_ACTIONS, AUDIT_OUTCOMES } from '../audit-log.entity.js';

export class AuditLogView {
  @ApiProperty({ description: 'Increasing identifier, as a string (64-bit).', example: '1042' })
  id!: string;

  @ApiProperty({ format: 'date-time' })
  occurred_at!: string;

  @ApiProperty({ enum: AUDIT_ACTIONS })
  action!: string;

  @ApiProperty({ enum: AUDIT_OUTCOMES })
  outcome!: string;

  @ApiProperty({ example: 201 })
  status_code!: number;

  @ApiProperty()
  request_id!: string;

  @ApiProperty({ nullable: true, type: String })
  ip!: string | null;

  @ApiProperty({ example: 'POST' })
  method!: string;

  @ApiProperty({ example: '/api/v1/payments' })
  path!: string;

  @ApiProperty({ nullable: true, type: String })
  idempotency_key!: string | null;

  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  transaction_id!: string | null;

  @ApiProperty({ nullable: true, type: Number })
  latency_ms!: number | null;
}

export class AuditLogPage {
  @ApiProperty({ type: [AuditLogView] })
  data!: AuditLogView[];

  @ApiProperty({ nullable: true, type: String })
  next_cursor!: string | null;
}
