export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export type Reply =
  { status: number; body?: unknown; headers?: Record<string, string> } | { networkError: string };

/**
 * A scripted `fetch`: answers each request with the next reply (the last one repeats) and
 * records what was sent. Also a fake clock whose `sleep` only moves time forward.
 */
export class FakeServer {
  readonly requests: RecordedRequest[] = [];
  readonly sleeps: number[] = [];
  time = 1_000_000;

  constructor(private readonly replies: Reply[]) {}

  readonly fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    this.requests.push({
      method: init.method ?? 'GET',
      url: String(input),
      headers: { ...(init.headers as Record<string, string>) },
      body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
    });
    const reply = this.replies[Math.min(this.requests.length - 1, this.replies.length - 1)];
    if ('networkError' in reply) throw new TypeError(reply.networkError);

    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'Content-Type': 'application/json', ...reply.headers },
    });
  };

  readonly sleep = async (ms: number) => {
    this.sleeps.push(ms);
    this.time += ms;
  };

  readonly now = () => this.time;

  /** The options that wire a client to this fake. */
  get wiring() {
    return { fetch: this.fetch as typeof fetch, sleep: this.sleep, now: this.now };
  }
}

export function paymentBody(overrides: Record<string, unknown> = {}) {
  return {
    transaction_id: '5b2f6a4e-2a9c-4a8e-9f6b-6c1d2e3f4a5b',
    status: 'succeeded',
    amount: 49.99,
    currency: 'USD',
    description: null,
    payment_method: 'credit_card',
    metadata: { order_id: 'o-1' },
    idempotency_key: 'k'.repeat(16),
    created_at: '2030-01-01T00:00:00.000Z',
    ...overrides,
  };
}

export function problem(status: number, code: string, extra: Record<string, unknown> = {}) {
  return {
    type: `urn:payments-api:problem:${code}`,
    title: code,
    status,
    detail: `detail of ${code}`,
    instance: '/api/v1/payments',
    code,
    ...extra,
  };
}
