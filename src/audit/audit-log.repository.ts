import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

import { encodeAuditCursor } from './audit-cursor.js';
import type { AuditLogView } from './dto/audit-log.view.js';
import { auditPageQuery } from './audit-log.sql.js';
import type { AuditLogRow, AuditPageFilter } from './audit-log.sql.js';

export interface AuditPage {
  items: AuditLogView[];
  next: string | null;
}

function toView(row: AuditLogRow): AuditLogView {
  return {
    id: row.id,
    occurred_at: new Date(row.occurred_at).toISOString(),
    action: row.action,
    outcome: row.outcome,
    status_code: row.status_code,
    request_id: row.request_id,
    ip: row.ip,
    method: row.method,
    path: row.path,
    idempotency_key: row.idempotency_key,
    transaction_id: row.transaction_id,
    latency_ms: row.latency_ms,
  };
}

/** Reads the audit trail; every query is scoped to one account in its SQL. */
@Injectable()
export class AuditLogRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async page(filter: AuditPageFilter): Promise<AuditPage> {
    const query = auditPageQuery(filter);
    const rows: AuditLogRow[] = await this.dataSource.query(query.text, query.values);
    const items = rows.slice(0, filter.limit);
    const last = rows.length > filter.limit ? items[items.length - 1] : null;
    const next = last
      ? encodeAuditCursor({ occurredMicros: last.occurred_micros, id: last.id })
      : null;

    return { items: items.map(toView), next };
  }
}
