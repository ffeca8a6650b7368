import type { Params } from 'nestjs-pino';

import { assignRequestId } from './common/http/request-id.middleware.js';
import type { AppConfig } from './config/config.types.js';

/** Request headers and body fields that never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
];

/** One JSON line per event, with the request id; no secrets, keys or bodies. */
export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: assignRequestId,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      customProps: (request) => ({ requestId: (request as { id?: string }).id }),
      autoLogging: { ignore: (request) => (request.url ?? '').startsWith('/health') },
      serializers: {
        req: (request: { id?: string; method?: string; url?: string; remoteAddress?: string }) => ({
          id: request.id,
          method: request.method,
          url: (request.url ?? '').split('?')[0],
          remoteAddress: request.remoteAddress,
        }),
      },
    },
  };
}
