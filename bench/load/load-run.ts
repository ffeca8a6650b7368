import { setTimeout as sleep } from 'node:timers/promises';

import type { Acknowledgement } from '../harness/ledger-check.js';
import { sentKey } from '../harness/ledger-check.js';
import { LatencyRecorder, Tally } from '../harness/latency.js';
import { Violations } from '../harness/violations.js';
import { KINDS, paymentBody, pickKind } from './traffic-mix.js';
import type { LoadAccount, RequestKind } from './traffic-mix.js';

const PAYMENTS = '/api/v1/payments';
const TICK_MS = 5;
const DOCUMENTED_503 = new Set(['processor_unavailable', 'service_unavailable']);
const ALLOWED: Record<RequestKind, number[]> = {
  create: [201, 402, 429, 503],
  replay: [201, 402, 429, 503],
  read: [200, 429, 503],
  list: [200, 429, 503],
  rate_limits: [200, 429, 503],
};

/** A payment's first, final answer: what every replay of its key must repeat byte for byte. */
interface FirstAnswer {
  account: LoadAccount;
  key: string;
  body: unknown;
  status: 201 | 402;
  text: string;
  contentType: string | null;
  location: string | null;
  transactionId: string;
  bodyStatus: Acknowledgement['bodyStatus'];
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

export interface LoadRunSettings {
  urls: string[];
  accounts: LoadAccount[];
  rate: number;
  durationMs: number;
  timeoutMs: number;
  maxInFlight: number;
  kinds: RequestKind[];
  runId: string;
}

function parsed(text: string): Record<string, unknown> | null {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/**
 * Sends the mix at a fixed rate (an open loop: slow answers do not slow the sending) for a
 * fixed time, checking each answer as it comes and remembering what the final checks need.
 */
export class LoadRun {
  readonly overall = new LatencyRecorder();
  readonly latency = new Map(KINDS.map((kind) => [kind, new LatencyRecorder()]));
  readonly statuses = new Map(KINDS.map((kind) => [kind, new Tally()]));
  readonly allStatuses = new Tally();
  readonly violations = new Violations();
  readonly sentKeys = new Set<string>();
  readonly answers: FirstAnswer[] = [];
  replaysCompared = 0;
  documented503 = 0;
  hung = 0;
  sent = 0;
  skipped = 0;
  inFlight = 0;
  startedAt = 0;
  private sequence = 0;
  private turn = 0;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly settings: LoadRunSettings) {}

  /** Sends for the run's duration, then waits for every answer (each bounded by the timeout). */
  async run(): Promise<void> {
    this.startedAt = performance.now();
    const end = this.startedAt + this.settings.durationMs;
    for (let now = this.startedAt; now < end; now = performance.now()) {
      const due = Math.floor(((now - this.startedAt) / 1000) * this.settings.rate);
      while (this.sent + this.skipped < due) this.launch();
      await sleep(TICK_MS);
    }

    await Promise.all([...this.running]);
  }

  elapsedSeconds(): number {
    return this.startedAt === 0 ? 0 : (performance.now() - this.startedAt) / 1000;
  }

  acknowledgements(): Acknowledgement[] {
    return this.answers.map((answer) => ({
      account: answer.account.account,
      key: answer.key,
      transactionId: answer.transactionId,
      httpStatus: answer.status,
      bodyStatus: answer.bodyStatus,
    }));
  }

  private launch(): void {
    if (this.inFlight >= this.settings.maxInFlight) {
      this.skipped += 1;
      return;
    }

    this.sent += 1;
    this.inFlight += 1;
    const task = this.send(pickKind(this.settings.kinds)).finally(() => {
      this.inFlight -= 1;
      this.running.delete(task);
    });
    this.running.add(task);
  }

  private async send(wanted: RequestKind): Promise<void> {
    const needsPayment = wanted === 'replay' || wanted === 'read';
    const kind = needsPayment && this.answers.length === 0 ? 'create' : wanted;
    switch (kind) {
      case 'create':
        return this.create();
      case 'replay':
        return this.replay(this.randomAnswer());
      case 'read':
        return this.read(this.randomAnswer());
      case 'list':
        return this.get('list', this.randomAccount(), `${PAYMENTS}?limit=20`, (body) =>
          Array.isArray(body?.data) ? null : 'list without data',
        );
      case 'rate_limits':
        return this.get('rate_limits', this.randomAccount(), '/api/v1/rate-limits', (body) =>
          Array.isArray(body?.limits) ? null : 'rate-limits without limits',
        );
    }
  }

  private async create(): Promise<void> {
    const account = this.randomAccount();
    this.sequence += 1;
    const key = `load-${this.settings.runId}-${String(this.sequence).padStart(8, '0')}`;
    const body = paymentBody(this.sequence);
    this.sentKeys.add(sentKey(account.account, key));

    const answer = await this.request('create', account, 'POST', PAYMENTS, body, key);
    if (answer?.status === 201 || answer?.status === 402) this.remember(account, key, body, answer);
  }

  private remember(account: LoadAccount, key: string, body: unknown, answer: Answer): void {
    const json = parsed(answer.text);
    const transactionId = typeof json?.transaction_id === 'string' ? json.transaction_id : null;
    if (transactionId === null) {
      this.violations.add('payment answer without transaction_id', `${key}: ${answer.status}`);
      return;
    }
    if (answer.headers.get('idempotent-replayed') !== 'false') {
      this.violations.add('first answer not marked Idempotent-Replayed: false', key);
    }

    this.answers.push({
      account,
      key,
      body,
      status: answer.status as 201 | 402,
      text: answer.text,
      contentType: answer.headers.get('content-type'),
      location: answer.headers.get('location'),
      transactionId,
      bodyStatus: answer.status === 201 ? (json?.status as FirstAnswer['bodyStatus']) : null,
    });
  }

  private async replay(first: FirstAnswer): Promise<void> {
    const answer = await this.request(
      'replay',
      first.account,
      'POST',
      PAYMENTS,
      first.body,
      first.key,
    );
    if (answer === null || answer.status === 429 || answer.status === 503) return;

    this.replaysCompared += 1;
    const differences = [
      answer.status !== first.status ? `status ${answer.status} != ${first.status}` : '',
      answer.text !== first.text ? 'body differs' : '',
      answer.headers.get('content-type') !== first.contentType ? 'content-type differs' : '',
      answer.headers.get('location') !== first.location ? 'location differs' : '',
      answer.headers.get('idempotent-replayed') !== 'true' ? 'not marked replayed' : '',
    ].filter(Boolean);
    if (differences.length > 0) {
      this.violations.add('replay differs from the first answer', `${first.key}: ${differences}`);
    }
  }

  private read(first: FirstAnswer): Promise<void> {
    return this.get('read', first.account, `${PAYMENTS}/${first.transactionId}`, (body) =>
      body?.transaction_id === first.transactionId ? null : 'read returned another payment',
    );
  }

  private async get(
    kind: RequestKind,
    account: LoadAccount,
    path: string,
    check: (body: Record<string, unknown> | null) => string | null,
  ): Promise<void> {
    const answer = await this.request(kind, account, 'GET', path);
    if (answer?.status !== 200) return;

    const problem = check(parsed(answer.text));
    if (problem) this.violations.add(problem, path);
  }

  /** One HTTP exchange, timed and checked for what every answer must respect. */
  private async request(
    kind: RequestKind,
    account: LoadAccount,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<Answer | null> {
    const headers: Record<string, string> = { authorization: `Bearer ${account.apiKey}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (idempotencyKey) headers['idempotency-key'] = idempotencyKey;

    const started = performance.now();
    let answer: Answer;
    try {
      const response = await fetch(`${this.nextUrl()}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.settings.timeoutMs),
      });
      answer = { status: response.status, headers: response.headers, text: await response.text() };
    } catch (error) {
      this.failed(kind, path, error);
      return null;
    }

    const ms = performance.now() - started;
    this.overall.add(ms);
    this.latency.get(kind)!.add(ms);
    this.statuses.get(kind)!.add(String(answer.status));
    this.allStatuses.add(String(answer.status));
    this.checkStatus(kind, path, answer);

    return answer;
  }

  private checkStatus(kind: RequestKind, path: string, answer: Answer): void {
    if (answer.status >= 500) {
      const code = parsed(answer.text)?.code;
      const documented =
        answer.status === 503 &&
        typeof code === 'string' &&
        DOCUMENTED_503.has(code) &&
        answer.headers.get('retry-after') !== null;
      if (documented) this.documented503 += 1;
      else this.violations.add('undocumented 5xx', `${kind} ${answer.status} ${String(code)}`);
      return;
    }
    if (!ALLOWED[kind].includes(answer.status)) {
      const code = parsed(answer.text)?.code;
      this.violations.add(
        `unexpected status for ${kind}`,
        `${answer.status} ${String(code)} ${path}`,
      );
    }
  }

  private failed(kind: RequestKind, path: string, error: unknown): void {
    this.allStatuses.add('error');
    this.statuses.get(kind)!.add('error');
    if (error instanceof Error && error.name === 'TimeoutError') {
      this.hung += 1;
      this.violations.add('request hung', `${kind} ${path} over ${this.settings.timeoutMs} ms`);
      return;
    }

    const cause =
      error instanceof Error ? (error.cause as { code?: string; message?: string }) : null;
    const why = cause?.code ?? cause?.message ?? String(error);
    this.violations.add('request failed without an answer', `${kind} ${path}: ${why}`);
  }

  private nextUrl(): string {
    this.turn += 1;

    return this.settings.urls[this.turn % this.settings.urls.length];
  }

  private randomAccount(): LoadAccount {
    const { accounts } = this.settings;

    return accounts[Math.floor(Math.random() * accounts.length)];
  }

  /** Mostly recent payments, as real traffic reads what it just made; sometimes any. */
  private randomAnswer(): FirstAnswer {
    const recent = Math.random() < 0.8;
    const span = recent ? Math.min(this.answers.length, 200) : this.answers.length;

    return this.answers[this.answers.length - 1 - Math.floor(Math.random() * span)];
  }
}
