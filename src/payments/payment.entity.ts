import { Column, Entity, PrimaryColumn } from 'typeorm';

import { bigintToNumber } from '../database/bigint.transformer.js';

export type PaymentStatus = 'pending' | 'succeeded' | 'failed';

export const PAYMENT_METHODS = ['credit_card', 'debit_card', 'bank_transfer', 'wallet'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

@Entity({ name: 'payments' })
export class PaymentEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ name: 'account_id', type: 'varchar', length: 64 })
  accountId!: string;

  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintToNumber })
  amountMinor!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description!: string | null;

  @Column({ name: 'payment_method', type: 'varchar', length: 20 })
  paymentMethod!: PaymentMethod;

  @Column({ type: 'jsonb', default: () => `'{}'::jsonb` })
  metadata!: Record<string, string | number | boolean | null>;

  @Column({ name: 'idempotency_key', type: 'varchar', length: 255 })
  idempotencyKey!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: PaymentStatus;

  /** The key the processor deduplicates charges by; derived from the payment id. */
  @Column({ name: 'processor_key', type: 'varchar', length: 100 })
  processorKey!: string;

  @Column({ name: 'processor_reference', type: 'varchar', length: 100, nullable: true })
  processorReference!: string | null;

  @Column({ name: 'failure_reason', type: 'varchar', length: 200, nullable: true })
  failureReason!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt!: Date;
}
