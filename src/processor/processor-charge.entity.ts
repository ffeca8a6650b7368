import { Column, Entity, PrimaryColumn } from 'typeorm';

import { bigintToNumber } from '../database/bigint.transformer.js';

/** The simulated card network's own ledger: one row per charge it accepted. */
@Entity({ name: 'processor_charges' })
export class ProcessorChargeEntity {
  @PrimaryColumn({ name: 'processor_key', type: 'varchar', length: 100 })
  processorKey!: string;

  @Column({ type: 'uuid' })
  reference!: string;

  @Column({ name: 'amount_minor', type: 'bigint', transformer: bigintToNumber })
  amountMinor!: number;

  @Column({ type: 'char', length: 3 })
  currency!: string;

  @Column({ type: 'varchar', length: 16 })
  outcome!: 'succeeded' | 'declined';

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
