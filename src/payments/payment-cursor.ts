import { ValidationFailedError } from '../common/errors/request-errors.js';

export interface PaymentCursor {
  createdMicros: string;
  id: string;
}

const CURSOR_SHAPE = /^(\d{1,18})\|([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
/** 9999-12-31T23:59:59Z in microseconds: later positions overflow PostgreSQL's timestamp. */
const MAX_CREATED_MICROS = 253_402_300_799_999_999n;

/** Opaque to clients: the position (creation time in microseconds, id) of the last item. */
export function encodeCursor(cursor: PaymentCursor): string {
  return Buffer.from(`${cursor.createdMicros}|${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(text: string, field = 'cursor'): PaymentCursor {
  const match = CURSOR_SHAPE.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match || BigInt(match[1]) > MAX_CREATED_MICROS)
    throw new ValidationFailedError([{ field, message: 'is not a valid cursor' }]);

  return { createdMicros: match[1], id: match[2] };
}
