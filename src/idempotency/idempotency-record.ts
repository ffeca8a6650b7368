import type { StoredResponse } from './stored-response.js';

interface RecordBase {
  id: string;
  accountId: string;
  key: string;
  fingerprint: string;
  resourceId: string;
  expiresAt: Date;
}

/** Claimed and executing (possibly resumed after a crash) from its recovery point. */
export interface InProgressRecord extends RecordBase {
  state: 'in_progress';
  recoveryPoint: string;
  lockedUntil: Date;
}

/** Finished with a final response that every later identical request replays. */
export interface CompletedRecord extends RecordBase {
  state: 'completed';
  response: StoredResponse;
}

export type IdempotencyRecord = InProgressRecord | CompletedRecord;

/** What trying to claim a key can end in. */
export type ClaimResult =
  | { kind: 'acquired'; record: InProgressRecord; fresh: boolean }
  | { kind: 'completed'; record: CompletedRecord }
  | { kind: 'mismatch' }
  | { kind: 'busy'; lockedUntil: Date };

export interface IdempotencyRow {
  id: string;
  account_id: string;
  idempotency_key: string;
  fingerprint: string;
  state: 'in_progress' | 'completed';
  recovery_point: string;
  locked_until: Date | null;
  resource_id: string;
  response_status: number | null;
  response_body: string | null;
  response_headers: Record<string, string> | null;
  expires_at: Date;
  inserted?: boolean;
}

export function toRecord(row: IdempotencyRow): IdempotencyRecord {
  const base = {
    id: row.id,
    accountId: row.account_id,
    key: row.idempotency_key,
    fingerprint: row.fingerprint,
    resourceId: row.resource_id,
    expiresAt: row.expires_at,
  };

  switch (row.state) {
    case 'in_progress':
      return {
        ...base,
        state: 'in_progress',
        recoveryPoint: row.recovery_point,
        lockedUntil: row.locked_until ?? new Date(0),
      };
    case 'completed':
      return {
        ...base,
        state: 'completed',
        response: {
          status: row.response_status ?? 500,
          headers: row.response_headers ?? {},
          body: row.response_body ?? '',
        },
      };
  }
}
