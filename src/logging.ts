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

/** 13-19 digits, optionally grouped by single spaces or dashes: what a card number looks like. */
const CARD_LIKE = /(?<!\d)\d(?:[ -]?\d){12,18}(?!\d)/g;
/** The secret half of an issued key (`pk_<id>_<secret>`); the public id stays readable. */
const ISSUED_KEY_SECRET = /\b(pk_[a-z0-9]{12}_)[A-Za-z0-9_-]{43}/g;
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

function maskDigitsButLastFour(match: string): string {
  let digitsLeft = match.replace(/\D/g, '').length;

  return match.replace(/\d/g, (digit) => (--digitsLeft < 4 ? digit : '*'));
}

/** Masks card-like digit runs and issued-key secrets in a piece of text. */
export function maskSensitiveText(text: string): string {
  return text.replace(CARD_LIKE, maskDigitsButLastFour).replace(ISSUED_KEY_SECRET, '$1[redacted]');
}

/**
 * Masks inside the JSON strings of a finished log line, whatever field they came from (a URL
 * path, an error message quoting a value); numbers such as `time` are not strings and stay.
 */
export function maskLogLine(line: string): string {
  return line.replace(JSON_STRING, maskSensitiveText);
}

/** One JSON line per event, with the request id; no secrets, keys, bodies or card numbers. */
export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      genReqId: assignRequestId,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      hooks: { streamWrite: maskLogLine },
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
