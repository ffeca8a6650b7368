import fc from 'fast-check';

/** Who a generated Authorization header speaks for; null when it names no known key. */
export type AccountTag = string | null;

export type Segment = { raw: string } | { known: number };

export interface Route {
  method: string;
  /** Path with `{param}` placeholders, as the OpenAPI document spells it. */
  path: string;
}

/** One generated request, before known transaction ids are filled in. */
export interface FuzzCase {
  method: string;
  route: Route;
  segment: Segment;
  query: string;
  headers: Record<string, string>;
  account: AccountTag;
  body: Buffer | undefined;
  chunked: boolean;
}

export interface FuzzKeys {
  dev: string;
  other: { account: string; key: string };
}

const CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'CAD', 'AUD', 'JPY', 'KRW', 'KWD', 'BHD'];
const METHODS = ['credit_card', 'debit_card', 'bank_transfer', 'wallet'];
const SHARED_IDEMPOTENCY_KEYS = Array.from({ length: 6 }, (_, i) => `fuzz-shared-key-${i}-0000`);

const NASTY_TEXT = [
  '\u0000',
  '\ud800',
  '\udfff',
  "'",
  '"',
  '\\',
  '%',
  "' OR 1=1 --",
  '$1',
  '${x}',
  '4111111111111111',
  '<script>',
  '\u202e',
  '../',
];

/** Text of every kind: any code point, ASCII, and fragments known to upset parsers or SQL. */
export const text: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
      { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }) },
      { weight: 1, arbitrary: fc.constantFrom(...NASTY_TEXT) },
    ),
    { maxLength: 4 },
  )
  .map((parts) => parts.join(''));

/** Header values Node can send: tab, printable ASCII and Latin-1. */
export const headerValue: fc.Arbitrary<string> = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0xa0, max: 0xff }))
    .map((code) => String.fromCharCode(code)),
  maxLength: 80,
});

/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as any client sends it). */
function percentEncode(value: string): string {
  return [...Buffer.from(value, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9_.~-]/.test(char)
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    })
    .join('');
}

const validIdempotencyKey = fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/);

const idempotencyKey: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...SHARED_IDEMPOTENCY_KEYS) },
  { weight: 4, arbitrary: validIdempotencyKey },
  { weight: 1, arbitrary: validIdempotencyKey.map((key) => `"${key}"`) },
  { weight: 2, arbitrary: headerValue },
  { weight: 1, arbitrary: fc.constant(undefined) },
);

function authorization(keys: FuzzKeys): fc.Arbitrary<{ value?: string; account: AccountTag }> {
  const unknown = (value: string) => ({ value, account: null });

  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ value: `Bearer ${keys.dev}`, account: 'test-user' }) },
    {
      weight: 2,
      arbitrary: fc.constant({ value: `Bearer ${keys.other.key}`, account: keys.other.account }),
    },
    { weight: 1, arbitrary: fc.constant({ account: null }) },
    { weight: 1, arbitrary: headerValue.map(unknown) },
    { weight: 1, arbitrary: headerValue.map((value) => unknown(`Bearer ${value}`)) },
    {
      weight: 1,
      arbitrary: fc
        .stringMatching(/^pk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/)
        .map((key) => unknown(`Bearer ${key}`)),
    },
  );
}

const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  { weight: 8, arbitrary: fc.constant('application/json') },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/problem+json',
      'application/vnd.payments+json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'APPLICATION/JSON',
    ),
  },
  { weight: 1, arbitrary: fc.constant(undefined) },
  { weight: 1, arbitrary: headerValue },
);

const requestId: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/),
  headerValue,
);

const amount: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 100_000_000 }).map((cents) => cents / 100) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 1_000_000_000 }).map((m) => m / 1000) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer({ min: -1000, max: 2_000_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e308, 5e-324, 1_000_000, 1_000_000.001) },
  { weight: 1, arbitrary: fc.oneof(text, fc.constant(null), fc.boolean()) },
);

const metadataValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 2, arbitrary: fc.oneof(fc.double(), fc.integer(), fc.boolean(), fc.constant(null)) },
  { weight: 1, arbitrary: fc.string({ minLength: 495, maxLength: 505 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
);

const metadata: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.dictionary(text, metadataValue, { maxKeys: 24 }) },
  { weight: 1, arbitrary: fc.constant({ simulate: 'decline' }) },
  { weight: 1, arbitrary: fc.oneof(fc.constant(null), text, fc.array(text, { maxLength: 3 })) },
);

const EXPONENTS: Record<string, number> = { JPY: 0, KRW: 0, KWD: 3, BHD: 3 };

/** A body that keeps every rule, so the request gets past validation into the core. */
const validPayment: fc.Arbitrary<Record<string, unknown>> = fc
  .record(
    {
      currency: fc.constantFrom(...CURRENCIES),
      minor: fc.integer({ min: 1, max: 100_000_000 }),
      payment_method: fc.constantFrom(...METHODS),
      description: fc.option(fc.string({ unit: 'grapheme', maxLength: 40 }), { nil: undefined }),
      metadata: fc.option(
        fc.dictionary(
          fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
          fc.oneof(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.integer(), fc.boolean()),
          { maxKeys: 20 },
        ),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['currency', 'minor', 'payment_method'] },
  )
  .map(({ minor, currency, ...rest }) => ({
    ...rest,
    currency,
    amount: minor / 10 ** (EXPONENTS[currency] ?? 2),
  }));

/** A body where any field may be of any shape, plus unknown fields now and then. */
const wildPayment: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        amount,
        currency: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...CURRENCIES) },
          { weight: 1, arbitrary: fc.oneof(text, fc.constantFrom('usd', 'XYZ', 'EURO')) },
        ),
        payment_method: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom(...METHODS) },
          { weight: 1, arbitrary: text },
        ),
        description: fc.oneof(
          text,
          fc.constant(null),
          fc.integer(),
          fc.string({ minLength: 498, maxLength: 502 }),
        ),
        metadata,
      },
      { requiredKeys: [] },
    ),
    fc.oneof(
      { weight: 6, arbitrary: fc.constant({}) },
      { weight: 1, arbitrary: fc.dictionary(text, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 2 }) },
    ),
  )
  .map(([known, extra]) => ({ ...extra, ...known }));

const paymentObject = fc.oneof(
  { weight: 2, arbitrary: validPayment },
  { weight: 1, arbitrary: wildPayment },
);

const HOSTILE_BODIES = [
  '{"__proto__":{"polluted":true},"amount":1,"currency":"USD","payment_method":"wallet"}',
  '{"constructor":{"prototype":{"polluted":true}}}',
  '{"amount":1,"currency":"USD","payment_method":"wallet","metadata":{"prototype":"x"}}',
  '{"amount":1,"currency":"USD","payment_method":"wallet","description":"a\\u0000b"}',
  '{"amount":1,"currency":"USD","payment_method":"wallet","metadata":{"k":"\\ud800"}}',
];

const jsonText = paymentObject.map((value) => JSON.stringify(value));

const bodyText: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 12, arbitrary: jsonText },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(jsonText, fc.nat())
      .map(([json, cut]) => json.slice(0, cut % Math.max(1, json.length))),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 5, max: 3000 })
      .map((depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 15_000, max: 40_000 })
      .map((size) => JSON.stringify({ amount: 1, description: 'x'.repeat(size) })),
  },
  { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_BODIES, '', ' ', 'null', '[]', '"x"') },
);

const body: fc.Arbitrary<Buffer> = bodyText.map((value) =>
  typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
);

const queryKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('limit', 'cursor', 'status') },
  { weight: 1, arbitrary: fc.constantFrom('limit[]', 'status[x]', 'page', 'sort', '') },
  { weight: 1, arbitrary: text },
);

const cursorLike = fc
  .tuple(fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 22n }).map(String), text), fc.uuid())
  .map(([micros, id]) => Buffer.from(`${micros}|${id}`).toString('base64url'));

const queryValue = fc.oneof(
  fc.integer({ min: -5, max: 200 }).map(String),
  fc.constantFrom('succeeded', 'failed', 'pending', 'SUCCEEDED', '1e2', '0x10', ' 5', ''),
  cursorLike,
  text,
);

const query: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constant('') },
  {
    weight: 4,
    arbitrary: fc
      .array(fc.tuple(queryKey, queryValue), { maxLength: 4 })
      .map(
        (pairs) => `?${pairs.map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`).join('&')}`,
      ),
  },
  { weight: 1, arbitrary: fc.constantFrom('?%', '?limit=%zz', '?&&=&', '?limit=1&limit=2', '?=') },
);

const segment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 4, arbitrary: fc.nat().map((known) => ({ known })) },
  { weight: 2, arbitrary: fc.uuid().map((raw) => ({ raw })) },
  { weight: 3, arbitrary: text.map((value) => ({ raw: percentEncode(value) || 'x' })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('%', '%E0%A4%A', '%00', '..', '.', 'a;b', '*', '%2F', 'a'.repeat(1500))
      .map((raw) => ({ raw })),
  },
);

function methodFor(route: Route): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(route.method) },
    { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS') },
  );
}

function sendsBody(method: string, route: Route) {
  return method === 'POST' || method === 'PUT' || method === 'PATCH' || route.method === 'POST';
}

interface HeaderChoices {
  auth: { value?: string; account: AccountTag };
  idempotencyKey?: string;
  contentType?: string;
  requestId?: string;
}

/** Headers a well-behaved client sends, so the body and query decide what happens. */
function tidyHeaders(keys: FuzzKeys): fc.Arbitrary<HeaderChoices> {
  return fc.record({
    auth: fc.constantFrom(
      { value: `Bearer ${keys.dev}`, account: 'test-user' },
      { value: `Bearer ${keys.other.key}`, account: keys.other.account },
    ),
    idempotencyKey: fc.oneof(fc.constantFrom(...SHARED_IDEMPOTENCY_KEYS), validIdempotencyKey),
    contentType: fc.constant('application/json'),
    requestId: fc.option(fc.stringMatching(/^[A-Za-z0-9._:-]{1,128}$/), { nil: undefined }),
  });
}

function wildHeaders(keys: FuzzKeys): fc.Arbitrary<HeaderChoices> {
  return fc.record({ auth: authorization(keys), idempotencyKey, contentType, requestId });
}

function weightedRoutes(routes: Route[]): fc.Arbitrary<Route> {
  return fc.oneof(
    ...routes.map((route) => ({
      weight: route.path.includes('{unknown}') ? 1 : 4,
      arbitrary: fc.constant(route),
    })),
  );
}

function headersFrom(choices: HeaderChoices): Record<string, string> {
  const headers: Record<string, string> = {};
  if (choices.auth.value !== undefined) headers.Authorization = choices.auth.value;
  if (choices.idempotencyKey !== undefined) headers['Idempotency-Key'] = choices.idempotencyKey;
  if (choices.contentType !== undefined) headers['Content-Type'] = choices.contentType;
  if (choices.requestId !== undefined) headers['X-Request-Id'] = choices.requestId;

  return headers;
}

/**
 * A request to one of the routes. Half are tidy (valid headers, a JSON body that may break
 * field rules) so they reach the core; the other half choose every header and byte at random.
 */
export function fuzzCase(routes: Route[], keys: FuzzKeys): fc.Arbitrary<FuzzCase> {
  const tidy = fc.record({
    headers: tidyHeaders(keys),
    body: jsonText.map((json) => Buffer.from(json, 'utf8')),
  });
  const wild = fc.record({ headers: wildHeaders(keys), body });

  return fc
    .record({
      route: weightedRoutes(routes),
      segment,
      query,
      choices: fc.oneof(tidy, wild),
      bodyOnRead: fc.oneof(
        { weight: 9, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: body },
      ),
      chunked: fc.boolean(),
    })
    .chain((parts) =>
      methodFor(parts.route).map((method) => ({
        method,
        route: parts.route,
        segment: parts.segment,
        query: parts.query,
        headers: headersFrom(parts.choices.headers),
        account: parts.choices.headers.auth.account,
        body: sendsBody(method, parts.route) ? parts.choices.body : parts.bodyOnRead,
        chunked: parts.chunked,
      })),
    );
}
