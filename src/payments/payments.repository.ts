import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { EntityManager } from 'typeorm';

import { decodeCursor, encodeCursor } from './payment-cursor.js';
import { PaymentEntity } from './payment.entity.js';
import type { PaymentStatus } from './payment.entity.js';

export interface PaymentPageQuery {
  accountId: string;
  limit: number;
  cursor?: string;
  status?: PaymentStatus;
}

export interface PendingPayment {
  payment: PaymentEntity;
  ageMs: number;
}

/** The final state a pending payment moves to. */
export interface Settlement {
  status: Exclude<PaymentStatus, 'pending'>;
  processorReference: string | null;
  failureReason: string | null;
}

export type NewPayment = Omit<
  PaymentEntity,
  'createdAt' | 'updatedAt' | 'processorReference' | 'failureReason' | 'status'
>;

/** Every query is scoped to the caller's account in SQL, never filtered afterwards. */
@Injectable()
export class PaymentsRepository {
  constructor(
    @InjectRepository(PaymentEntity) private readonly payments: Repository<PaymentEntity>,
  ) {}

  /** Inserts the pending payment unless a retry of the same operation already did. */
  async insertPendingOnce(manager: EntityManager, payment: NewPayment): Promise<PaymentEntity> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(PaymentEntity)
      .values({ ...payment, status: 'pending' })
      .orIgnore()
      .execute();

    return manager.findOneByOrFail(PaymentEntity, { id: payment.id, accountId: payment.accountId });
  }

  async settle(manager: EntityManager, payment: PaymentEntity): Promise<void> {
    await manager.update(
      PaymentEntity,
      { id: payment.id },
      {
        status: payment.status,
        processorReference: payment.processorReference,
        failureReason: payment.failureReason,
        updatedAt: () => 'now()',
      },
    );
  }

  findOwned(accountId: string, id: string): Promise<PaymentEntity | null> {
    return this.payments.findOneBy({ id, accountId });
  }

  /**
   * Pending payments untouched for at least `minAgeMs`, oldest first, each with its age. Ages
   * come from the database clock, so instances with skewed clocks agree.
   */
  async findPending(minAgeMs: number, limit: number): Promise<PendingPayment[]> {
    const { entities, raw } = await this.payments
      .createQueryBuilder('p')
      .addSelect(`(extract(epoch from now() - p.updated_at) * 1000)::float8`, 'age_ms')
      .where(`p.status = 'pending'`)
      .andWhere(`p.updated_at < now() - make_interval(secs => :minAgeSeconds::float8)`, {
        minAgeSeconds: minAgeMs / 1000,
      })
      .orderBy('p.updated_at', 'ASC')
      .limit(limit)
      .getRawAndEntities<{ age_ms: number | string }>();

    return entities.map((payment, index) => ({ payment, ageMs: Number(raw[index].age_ms) }));
  }

  /**
   * Settles a payment only if it is still pending, so concurrent reconcilers (or a late
   * request) settle it once; true when this call did.
   */
  async settlePending(id: string, settlement: Settlement): Promise<boolean> {
    const result = await this.payments
      .createQueryBuilder()
      .update(PaymentEntity)
      .set({ ...settlement, updatedAt: () => 'now()' })
      .where(`id = :id AND status = 'pending'`, { id })
      .execute();

    return (result.affected ?? 0) > 0;
  }

  /** Newest first; `next` is the cursor after the last item, null on the last page. */
  async page(query: PaymentPageQuery): Promise<{ items: PaymentEntity[]; next: string | null }> {
    const builder = this.payments
      .createQueryBuilder('p')
      .addSelect(`(extract(epoch from p.created_at) * 1000000)::bigint::text`, 'created_micros')
      .where('p.account_id = :accountId', { accountId: query.accountId })
      .orderBy('p.created_at', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .limit(query.limit + 1);
    if (query.status) builder.andWhere('p.status = :status', { status: query.status });
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      builder.andWhere(
        `(p.created_at, p.id) < ('epoch'::timestamptz + :micros::bigint * interval '1 microsecond',
          :cursorId::uuid)`,
        { micros: cursor.createdMicros, cursorId: cursor.id },
      );
    }

    const { entities, raw } = await builder.getRawAndEntities<{ created_micros: string }>();
    const items = entities.slice(0, query.limit);
    const last =
      items.length === query.limit && entities.length > query.limit ? items.length - 1 : -1;
    const next =
      last >= 0
        ? encodeCursor({ createdMicros: raw[last].created_micros, id: items[last].id })
        : null;

    return { items, next };
  }
}
