import type { Response } from 'supertest';

/** Text that must never reach a client: stack frames, SQL, driver and framework internals. */
const INTERNALS = [
  /\bat \//,
  /\bat [\w.<>]+ \(/,
  /node_modules|\.js:\d+/,
  /QueryFailedError|EntityNotFound|TypeORMError|DatabaseError|ReplyError/,
  /\b(SELECT .* FROM|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b/,
  /\b(ioredis|typeorm|pglite)\b/i,
  /\b(syntax error at|violates \w+ constraint|relation "\w+")/i,
  /TypeError|ReferenceError|RangeError/,
];

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  code: string;
  errors?: { field: string; message: string }[];
  [extra: string]: unknown;
}

/**
 * The text the server wrote itself. `instance` echoes the path and `errors[].field` echoes
 * the client's own keys, so a fuzzed key such as "at /x" is not mistaken for a stack frame.
 */
export function serverAuthoredText(body: unknown): string {
  if (body === null || typeof body !== 'object') return String(body ?? '');

  const { instance: _instance, errors, ...rest } = body as Problem;
  const messages = Array.isArray(errors) ? errors.map((entry) => entry?.message) : errors;

  return JSON.stringify({ ...rest, messages });
}

export function expectNoInternals(text: string): void {
  for (const pattern of INTERNALS) expect(text).not.toMatch(pattern);
}

/** What every response of the service carries, success or error. */
export function expectCommonHeaders(res: Response): void {
  expect(res.headers['x-powered-by']).toBeUndefined();
  expect(res.headers['x-request-id']).toMatch(REQUEST_ID);
}

/** Asserts an RFC 9457 problem with the given status and code; returns its body. */
export function expectProblem(res: Response, status: number, code: string): Problem {
  const body = res.body as Problem;
  if (res.status !== status || body?.code !== code) {
    throw new Error(`expected ${status} ${code}, got ${res.status}: ${res.text}`);
  }
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expectCommonHeaders(res);
  expectNoInternals(serverAuthoredText(body));
  expect(body).toEqual(
    expect.objectContaining({
      type: expect.any(String),
      title: expect.any(String),
      status,
      detail: expect.any(String),
      instance: expect.stringMatching(/^\//),
      code,
    }),
  );

  return body;
}

/** Asserts validation_failed naming exactly these fields (each at least once); returns them. */
export function expectFieldErrors(res: Response, fields: string[]): Problem['errors'] {
  const body = expectProblem(res, 400, 'validation_failed');
  expect(Array.isArray(body.errors)).toBe(true);
  for (const entry of body.errors ?? []) {
    expect(entry).toEqual({ field: expect.any(String), message: expect.any(String) });
  }
  const named = [...new Set(body.errors?.map(({ field }) => field))].sort();
  expect(named).toEqual([...fields].sort());

  return body.errors;
}

export function expectUnauthorized(res: Response): Problem {
  const body = expectProblem(res, 401, 'unauthorized');
  expect(res.headers['www-authenticate']).toBe('Bearer');

  return body;
}
