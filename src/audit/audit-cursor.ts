import { ValidationFailedError } from '../common/errors/request-errors.js';

/** The position of the last entry of a page: its time in microseconds and its id. */
export interface AuditCursor {
  occurredMicros: string;
  id: string;
}

const CURSOR_SHAPE = /^a1:(\d{1,20}):(\d{1,19})$/;

/** Opaque to clients; versioned so that a future layout can refuse old cursors cleanly. */
export function encodeAuditCursor(cursor: AuditCursor): string {
  return Buffer.from(`a1:${cursor.occurredMicros}:${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeAuditCursor(text: string): AuditCursor {
  const match = CURSOR_SHAPE.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match)
    throw new ValidationFailedError([{ field: 'cursor', message: 'is not a valid cursor' }]);

  return { occurredMicros: match[1], id: match[2] };
}
