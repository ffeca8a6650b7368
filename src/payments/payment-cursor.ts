import { ValidationFailedError } from '../common/errors/request-errors.js';

export interface PaymentCursor {
  createdMicros: string;
  id: string;
}

const CURSOR_SHAPE = /^(\d{1,20})\|([0-9a-f-]{36})$/;

/** Opaque to clients: the position (creation time in microseconds, id) of the last item. */
export function encodeCursor(cursor: PaymentCursor): string {
  return Buffer.from(`${cursor.createdMicros}|${cursor.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(text: string, field = 'cursor'): PaymentCursor {
  const match = CURSOR_SHAPE.exec(Buffer.from(text, 'base64url').toString('utf8'));
  if (!match) throw new ValidationFailedError([{ field, message: 'is not a valid cursor' }]);

  return { createdMicros: match[1], id: match[2] };
}
