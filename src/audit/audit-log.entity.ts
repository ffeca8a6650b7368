import { Column, Entity, PrimaryColumn } from 'typeorm';

export const AUDIT_ACTIONS = [
  'payment.create',
  'payment.read',
  'payment.list',
  'payment.simulate_concurrent',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = [
  'created',
  'replayed',
  'declined',
  'conflict',
  'key_reused',
  'rate_limited',
  'invalid',
  'unauthorized',
  'unavailable',
  'ok',
] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** One payment-route attempt. Rows are never updated; the database refuses it. */
@Entity({ name: 'audit_logs' })
export class AuditLogEntity {
  @PrimaryColumn({ type: 'bigint', insert: false })
  id!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ name: 'account_id', type: 'varchar', length: 64, nullable: true })
  accountId!: string | null;

  @Column({ type: 'varchar', length: 40 })
  action!: AuditAction;

  @Column({ type: 'varchar', length: 20 })
  outcome!: AuditOutcome;

  @Column({ name: 'status_code', type: 'integer' })
  statusCode!: number;

  @Column({ name: 'request_id', type: 'varchar', length: 128 })
  requestId!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({ type: 'varchar', length: 10 })
  method!: string;

  @Column({ type: 'varchar', length: 300 })
  path!: string;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'transaction_id', type: 'uuid', nullable: true })
  transactionId!: string | null;

  @Column({ name: 'latency_ms', type: 'integer', nullable: true })
  latencyMs!: number | null;
}
