import { randomUUID } from 'node:crypto';

import fc from 'fast-check';

import type { Instance } from '../support/instance.js';
import {
  DEV_KEY,
  HIGH_RATE_LIMITS,
  PAYMENTS,
  apiKeysEnv,
  paymentBody,
  postPayment,
} from '../support/payments-api.js';
import { expectNoInternals, serverAuthoredText } from '../support/problem.js';
import { RawHttpClient } from '../support/raw-http.js';
import type { RawResponse } from '../support/raw-http.js';
import { fuzzCase } from './arbitraries.js';
import type { FuzzCase, FuzzKeys, Route } from './arbitraries.js';
import { BOOT_HOOK_TIMEOUT_MS } from '../support/timeouts.js';

export interface FuzzVariant {
  start(env: Record<string, string>): Promise<{ instance: Instance; stop(): Promise<void> }>;
}

/** At least 1,000 cases per variant by default and 2,500 under CI (two variants: 5,000). */
const CASES = Number(process.env.FUZZ_CASES ?? (process.env.CI === 'true' ? 2500 : 1000));
const CONCURRENCY = 8;
const LOCK_WAIT_MS = 5000;
const SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED);

const KEYS: FuzzKeys = {
  dev: DEV_KEY,
  other: { account: 'fuzz-other', key: 'fuzz-other-key-0123456789abc' },
};
const CORE_ROUTES = [`POST ${PAYMENTS}`, `GET ${PAYMENTS}`, `GET ${PAYMENTS}/{transaction_id}`];

/** Every /api/v1 operation the service documents, so routes added later are fuzzed too. */
async function discoverRoutes(url: string): Promise<Route[]> {
  const document = (await (await fetch(`${url}/docs-json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const routes = Object.entries(document.paths)
    .filter(([path]) => path.startsWith('/api/v1/') || path === '/api/v1')
    .flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => ({ method: method.toUpperCase(), path })),
    );

  return [...routes, { method: 'GET', path: '/api/v1/{unknown}' }];
}

/** Ids the fuzzer created and the account that owns each. */
class KnownPayments {
  private readonly ids: string[] = [];
  private readonly owners = new Map<string, string>();

  remember(id: unknown, account: string | null): void {
    if (typeof id !== 'string' || account === null || this.owners.has(id)) return;

    this.ids.push(id);
    this.owners.set(id, account);
  }

  pick(index: number): string {
    return this.ids.length === 0 ? randomUUID() : this.ids[index % this.ids.length];
  }

  ownerOf(id: unknown): string | undefined {
    return typeof id === 'string' ? this.owners.get(id) : undefined;
  }
}

function pathOf(fuzz: FuzzCase, known: KnownPayments): string {
  const segment = 'known' in fuzz.segment ? known.pick(fuzz.segment.known) : fuzz.segment.raw;

  return fuzz.route.path.replace(/\{[^}]+\}/g, segment) + fuzz.query;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeCase(fuzz: FuzzCase, path: string, response: RawResponse): string {
  const body = fuzz.body ? fuzz.body.toString('utf8').slice(0, 300) : '(none)';

  return (
    `${fuzz.method} ${path.slice(0, 300)} headers=${JSON.stringify(fuzz.headers)} ` +
    `body=${JSON.stringify(body)} -> ${response.status} in ${Math.round(response.elapsedMs)} ms: ` +
    response.text.slice(0, 500)
  );
}

/** The invariants every response must keep, whatever was sent. */
function checkResponse(fuzz: FuzzCase, path: string, response: RawResponse): void {
  const fail = (what: string) => {
    throw new Error(`${what}\n${describeCase(fuzz, path, response)}`);
  };

  if (response.status >= 500) fail('server error');
  if (response.elapsedMs >= LOCK_WAIT_MS) fail(`slower than the lock wait (${LOCK_WAIT_MS} ms)`);
  if (response.headers['x-powered-by'] !== undefined) fail('X-Powered-By is set');
  if (!/^[A-Za-z0-9._:-]{1,128}$/.test(String(response.headers['x-request-id']))) {
    fail('no valid X-Request-Id');
  }
  if (response.status < 400 || fuzz.method === 'HEAD') return;

  if (!String(response.headers['content-type']).startsWith('application/problem+json')) {
    fail('an error that is not problem+json');
  }
  const problem = parseJson(response.text) as { status?: unknown; code?: unknown } | undefined;
  if (problem?.status !== response.status || typeof problem.code !== 'string') {
    fail('a problem body without matching status and code');
  }
  try {
    expectNoInternals(serverAuthoredText(problem));
  } catch {
    fail('internals in an error body');
  }
}

/** Payments are only ever shown to the account that owns them. */
function checkTenancy(fuzz: FuzzCase, response: RawResponse, known: KnownPayments): void {
  if (response.status !== 200 || fuzz.method !== 'GET' || fuzz.account === null) return;

  const body = parseJson(response.text) as { transaction_id?: unknown; data?: unknown } | undefined;
  const shown = Array.isArray(body?.data)
    ? body.data.map((item: { transaction_id?: unknown }) => item?.transaction_id)
    : [body?.transaction_id];
  for (const id of shown) {
    const owner = known.ownerOf(id);
    if (owner !== undefined && owner !== fuzz.account) {
      throw new Error(`${fuzz.account} was shown ${String(id)} of ${owner}`);
    }
  }
}

function rememberCreated(fuzz: FuzzCase, response: RawResponse, known: KnownPayments): void {
  if (fuzz.method !== 'POST' || ![201, 402].includes(response.status)) return;

  const body = parseJson(response.text) as { transaction_id?: unknown } | undefined;
  known.remember(body?.transaction_id, fuzz.account);
}

function errorLogLines(output: string): string[] {
  return output.split('\n').filter((line) => /"level":(50|60)\b/.test(line));
}

/**
 * Property-based requests against every documented /api/v1 route: random bodies, queries,
 * paths and headers, CONCURRENCY at a time. No 5xx, nothing slower than the lock wait, no
 * internals in an error, no payment shown to another account, and a healthy service after.
 */
export function defineFuzzSuite(variant: FuzzVariant): void {
  let instance: Instance;
  let stop: () => Promise<void>;
  let client: RawHttpClient;
  let routes: Route[];
  const known = new KnownPayments();

  beforeAll(async () => {
    ({ instance, stop } = await variant.start({
      ...HIGH_RATE_LIMITS,
      API_KEYS: apiKeysEnv([KEYS.other]),
    }));
    client = new RawHttpClient(instance.url, CONCURRENCY);
    routes = await discoverRoutes(instance.url);
  }, BOOT_HOOK_TIMEOUT_MS);

  afterAll(async () => {
    client?.close();
    await stop?.();
  });

  it('documents the core routes it fuzzes', () => {
    const names = routes.map(({ method, path }) => `${method} ${path}`);

    expect(names).toEqual(expect.arrayContaining(CORE_ROUTES));
  });

  it(`keeps its invariants over ${CASES} generated requests`, async () => {
    let sent = 0;
    const statuses = new Map<string, number>();
    const batch = fc.array(fuzzCase(routes, KEYS), {
      minLength: CONCURRENCY,
      maxLength: CONCURRENCY,
    });

    await fc.assert(
      fc.asyncProperty(batch, async (cases) => {
        const results = await Promise.all(
          cases.map(async (fuzz) => {
            const path = pathOf(fuzz, known);
            const response = await client.send({ ...fuzz, path });
            return { fuzz, path, response };
          }),
        );
        sent += cases.length;

        for (const { fuzz, path, response } of results) {
          const tally = `${fuzz.method} ${fuzz.route.path} ${response.status}`;
          statuses.set(tally, (statuses.get(tally) ?? 0) + 1);
          checkResponse(fuzz, path, response);
          checkTenancy(fuzz, response, known);
          rememberCreated(fuzz, response, known);
        }
      }),
      { numRuns: Math.ceil(CASES / CONCURRENCY), seed: SEED },
    );

    expect(sent).toBeGreaterThanOrEqual(CASES);
    if (process.env.FUZZ_STATS) console.log([...statuses].sort().join('\n'));
    // The generators must get past authentication and validation often enough to matter.
    expect(statuses.get(`POST ${PAYMENTS} 201`)).toBeGreaterThan(CASES / 100);
    expect(statuses.get(`GET ${PAYMENTS} 200`)).toBeGreaterThan(CASES / 100);
    expect(statuses.get(`GET ${PAYMENTS}/{transaction_id} 200`)).toBeGreaterThan(CASES / 200);
  }, 300_000);

  it('is healthy afterwards and logged no unhandled error', async () => {
    const live = await fetch(`${instance.url}/health/live`);
    const created = await postPayment(instance.url, paymentBody());

    expect(live.status).toBe(200);
    expect(created.status).toBe(201);
    expect(errorLogLines(instance.output())).toEqual([]);
  });
}
