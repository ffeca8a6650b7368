import { AppError } from '../common/errors/app-error.js';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor.js';
import { auditPageQuery } from './audit-log.sql.js';

describe('audit cursor', () => {
  it('round-trips a position and refuses anything else', () => {
    const cursor = { occurredMicros: '1733232000123456', id: '42' };

    expect(decodeAuditCursor(encodeAuditCursor(cursor))).toEqual(cursor);
    expect(() => decodeAuditCursor('not-a-cursor')).toThrow(AppError);
    expect(() => decodeAuditCursor(Buffer.from('a1:1:x').toString('base64url'))).toThrow(AppError);
  });
});

describe('auditPageQuery', () => {
  it('always scopes by account first and fetches one extra row', () => {
    const query = auditPageQuery({ accountId: 'acct', limit: 50 });

    expect(query.text).toContain(
      'WHERE l.account_id = $1 ORDER BY l.occurred_at DESC, l.id DESC LIMIT $2',
    );
    expect(query.values).toEqual(['acct', 51]);
  });

  it('binds every filter as a parameter, never as text', () => {
    const query = auditPageQuery({
      accountId: "acct'; DROP TABLE audit_logs; --",
      limit: 10,
      from: '2025-01-01T00:00:00Z',
      to: '2025-02-01T00:00:00Z',
      action: 'payment.create',
      outcome: 'created',
      cursor: { occurredMicros: '1', id: '2' },
    });

    expect(query.text).not.toContain('DROP');
    expect(query.values).toEqual([
      "acct'; DROP TABLE audit_logs; --",
      '2025-01-01T00:00:00Z',
      '2025-02-01T00:00:00Z',
      'payment.create',
      'created',
      '1',
      '2',
      11,
    ]);
    expect(query.text).toContain('(l.occurred_at, l.id) < (');
  });
});
