import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** The client's own request id when it is well formed, a fresh UUID otherwise. */
export function requestIdFor(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  const candidate = Array.isArray(sent) ? sent[0] : sent;

  return candidate !== undefined && CLIENT_REQUEST_ID.test(candidate) ? candidate : randomUUID();
}

/**
 * Used as pino-http's id generator, so the id is decided once, before logging starts, and
 * echoed on every response including errors raised before routing.
 */
export function assignRequestId(request: IncomingMessage, response: ServerResponse): string {
  const existing = (request as IncomingMessage & { id?: string }).id;
  if (typeof existing === 'string') return existing;

  const id = requestIdFor(request);
  (request as IncomingMessage & { id?: string }).id = id;
  response.setHeader(REQUEST_ID_HEADER, id);

  return id;
}
