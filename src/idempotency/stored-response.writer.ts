import type { Response } from 'express';

import type { StoredResponse } from './stored-response.js';

export const REPLAYED_HEADER = 'Idempotent-Replayed';

/** Sends a stored response exactly: status, its own headers and the body bytes. */
export function writeStoredResponse(response: Response, stored: StoredResponse, replayed: boolean) {
  for (const [name, value] of Object.entries(stored.headers)) response.setHeader(name, value);
  response.setHeader(REPLAYED_HEADER, replayed ? 'true' : 'false');

  response.status(stored.status).end(stored.body);
}
