import { Logger } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import type { DataSource } from 'typeorm';

import type { AuditEntry } from './audit-entry.js';
import { AuditService } from './audit.service.js';

const ENTRY: AuditEntry = {
  accountId: 'acct',
  action: 'payment.read',
  outcome: 'ok',
  statusCode: 200,
  requestId: 'req',
  ip: null,
  method: 'GET',
  path: '/api/v1/payments',
  idempotencyKey: null,
  transactionId: null,
  latencyMs: 1,
};

function harness(insert: (rows: unknown[]) => Promise<void>) {
  const metrics = { dropped: 0, failures: 0, buffered: 0 };
  // The batch statement takes one array per column; the request ids (column 6) stand for rows.
  const dataSource = {
    query: (_sql: string, columns: unknown[][]) => insert(columns[5]),
  };
  const service = new AuditService(
    dataSource as unknown as DataSource,
    { inc: (n = 1) => (metrics.dropped += n) } as unknown as Counter,
    { set: (n: number) => (metrics.buffered = n) } as unknown as Gauge,
    { inc: () => (metrics.failures += 1) } as unknown as Counter,
  );

  return { service, metrics };
}

describe('AuditService', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('writes buffered entries in one batch on flush', async () => {
    const batches: unknown[][] = [];
    const { service, metrics } = harness(async (rows) => void batches.push(rows));

    service.enqueue(ENTRY);
    service.enqueue({ ...ENTRY, requestId: 'req-2' });
    await service.flush();

    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(2);
    expect(metrics.buffered).toBe(0);
  });

  it('keeps a failed batch for the next flush and counts the failure', async () => {
    let fail = true;
    const written: unknown[] = [];
    const { service, metrics } = harness(async (rows) => {
      if (fail) throw new Error('database down');
      written.push(...rows);
    });

    service.enqueue(ENTRY);
    await service.flush();
    fail = false;
    await service.flush();

    expect(metrics.failures).toBe(1);
    expect(written).toHaveLength(1);
    expect(service.dropped).toBe(0);
  });

  it('counts as dropped what it could not write before shutdown', async () => {
    const { service, metrics } = harness(async () => {
      throw new Error('database down');
    });

    service.enqueue(ENTRY);
    service.enqueue(ENTRY);
    await service.beforeApplicationShutdown();

    expect(service.dropped).toBe(2);
    expect(metrics.dropped).toBe(2);
    expect(service.pending).toBe(0);
  });
});
