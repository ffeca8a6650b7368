/**
 * SQLSTATEs meaning the database cannot serve right now: the server is shutting down
 * (57P01, 57P02), starting up (57P03), out of connection slots (53300), or a statement ran
 * past `statement_timeout` (57014). Class 08 (connection exceptions) is matched as a class.
 */
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);
const CONNECTION_EXCEPTION_CLASS = '08';

/** Socket errors: the peer refused, reset or never answered. */
const NETWORK_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** The pg driver's own words for a connection it lost or could not get from the pool. */
const LOST_CONNECTION = new RegExp(
  `^(${[
    'Connection terminated',
    'timeout exceeded when trying to connect',
    'Client has encountered a connection error',
    'Client was closed and is not queryable',
  ].join('|')})`,
);

/**
 * TypeORM releases a query runner whose connection failed; the next statement of the same
 * transaction then meets one of these instead of the connection error itself.
 */
const RELEASED_RUNNER_ERRORS = new Set([
  'QueryRunnerAlreadyReleasedError',
  'QueryRunnerProviderAlreadyReleasedError',
]);

const MAX_DEPTH = 5;

function codeOf(error: object): string | undefined {
  const code = (error as { code?: unknown }).code;

  return typeof code === 'string' ? code : undefined;
}

function isUnavailable(code: string | undefined, name: string, message: string): boolean {
  if (RELEASED_RUNNER_ERRORS.has(name)) return true;
  if (code !== undefined) {
    if (UNAVAILABLE_SQLSTATES.has(code) || NETWORK_ERROR_CODES.has(code)) return true;
    if (code.length === 5 && code.startsWith(CONNECTION_EXCEPTION_CLASS)) return true;
  }

  return LOST_CONNECTION.test(message);
}

/**
 * True when `error` (or what it wraps: a TypeORM `driverError`, a `cause`) says a dependency
 * could not be reached or is restarting, so the request may succeed if retried: the answer
 * is then 503 `service_unavailable`, not 500.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  let current: unknown = error;
  for (
    let depth = 0;
    depth < MAX_DEPTH && typeof current === 'object' && current !== null;
    depth += 1
  ) {
    const [name, message] = current instanceof Error ? [current.name, current.message] : ['', ''];
    if (isUnavailable(codeOf(current), name, message)) return true;

    const wrapped = current as { driverError?: unknown; cause?: unknown };
    current = wrapped.driverError ?? wrapped.cause;
  }

  return false;
}
