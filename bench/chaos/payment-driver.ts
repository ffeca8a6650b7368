import { randomBytes } from 'node:crypto';

import {
  PaymentDeclinedError,
  PaymentsApiError,
  PaymentsClient,
  RetryPolicy,
} from '../../client/src/index.js';
import type { CreatePaymentInput, RetryEvent } from '../../client/src/index.js';
import type { Acknowledgement } from '../harness/ledger-check.js';
import { sentKey } from '../harness/ledger-check.js';
import { LatencyRecorder, Tally } from '../harness/latency.js';

export interface ChaosAccount {
  account: string;
  apiKey: string;
}

/** How one logical payment's call ended. */
export type CallOutcome = 'acknowledged' | 'declined' | 'gave_up' | 'hung';

export interface DriverSettings {
  urls: string[];
  accounts: ChaosAccount[];
  concurrency: number;
  durationMs: number;
  /** The client's whole budget for one payment, retries included. */
  callDeadlineMs: number;
  attemptTimeoutMs: number;
}

const DECLINE_SHARE = 0.04;
const TIMEOUT_SHARE = 0.03;
/** Beyond the client's own deadline and one last attempt: past this a call has hung. */
const HANG_MARGIN_MS = 5000;

/** Sends each attempt to the next instance in turn, as a load balancer without health checks. */
function roundRobin(urls: string[], baseUrl: string): typeof fetch {
  let turn = 0;

  return (input, init) => {
    turn += 1;
    return fetch(String(input).replace(baseUrl, urls[turn % urls.length]), init);
  };
}

function paymentInput(sequence: number): CreatePaymentInput {
  const draw = Math.random();
  const metadata: Record<string, string> = { order_id: `chaos-${sequence}` };
  if (draw < DECLINE_SHARE) metadata.simulate = 'decline';
  else if (draw < DECLINE_SHARE + TIMEOUT_SHARE) metadata.simulate = 'timeout';

  return {
    amount: Number((1 + Math.random() * 300).toFixed(2)),
    currency: 'EUR',
    paymentMethod: 'credit_card',
    metadata,
  };
}

/**
 * Keeps `concurrency` logical payments in flight, each with its own idempotency key, retried
 * by the client until a final answer; records how every call ended and what it was told.
 */
export class PaymentDriver {
  readonly outcomes = new Tally();
  readonly retries = new Tally();
  readonly callDurations = new LatencyRecorder();
  readonly acknowledged: Acknowledgement[] = [];
  readonly sentKeys = new Set<string>();
  readonly endings: string[] = [];
  inFlight = 0;
  private sequence = 0;
  private readonly clients: PaymentsClient[];
  private readonly runId = randomBytes(4).toString('hex');

  constructor(private readonly settings: DriverSettings) {
    const baseUrl = 'http://payments.invalid';
    const retryPolicy = new RetryPolicy({
      maxRetries: 100,
      baseDelayMs: 50,
      maxDelayMs: 2000,
      deadlineMs: settings.callDeadlineMs,
    });
    this.clients = settings.accounts.map(
      (account) =>
        new PaymentsClient({
          baseUrl,
          apiKey: account.apiKey,
          retryPolicy,
          attemptTimeoutMs: settings.attemptTimeoutMs,
          fetch: roundRobin(settings.urls, baseUrl),
          onRetry: (event) => this.retries.add(retryLabel(event)),
        }),
    );
  }

  /** Starts payments until `durationMs` has passed, then lets the last ones finish. */
  async run(): Promise<void> {
    const end = performance.now() + this.settings.durationMs;
    const worker = async () => {
      while (performance.now() < end) await this.onePayment();
    };
    await Promise.all(Array.from({ length: this.settings.concurrency }, worker));
  }

  private async onePayment(): Promise<void> {
    this.sequence += 1;
    const sequence = this.sequence;
    const accountIndex = sequence % this.settings.accounts.length;
    const account = this.settings.accounts[accountIndex].account;
    const key = `chaos-${this.runId}-${String(sequence).padStart(8, '0')}`;
    this.sentKeys.add(sentKey(account, key));

    const started = performance.now();
    const watchdog = AbortSignal.timeout(
      this.settings.callDeadlineMs + this.settings.attemptTimeoutMs + HANG_MARGIN_MS,
    );
    this.inFlight += 1;
    try {
      const payment = await this.clients[accountIndex].createPayment(paymentInput(sequence), {
        idempotencyKey: key,
        signal: watchdog,
      });
      this.ended('acknowledged');
      this.acknowledged.push({
        account,
        key,
        transactionId: payment.transactionId,
        httpStatus: 201,
        bodyStatus: payment.status,
      });
    } catch (error) {
      this.failed(account, key, error);
    } finally {
      this.inFlight -= 1;
      this.callDurations.add(performance.now() - started);
    }
  }

  private failed(account: string, key: string, error: unknown): void {
    if (error instanceof PaymentDeclinedError && error.transactionId) {
      this.ended('declined');
      this.acknowledged.push({
        account,
        key,
        transactionId: error.transactionId,
        httpStatus: 402,
        bodyStatus: null,
      });
      return;
    }
    if (error instanceof PaymentsApiError) {
      this.ended(
        'gave_up',
        `${key}: ${error.status} ${error.code} after ${error.attempts} attempts`,
      );
      return;
    }
    // The watchdog is the only signal: whichever way its abort surfaces, the call hung.
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      this.ended('hung', `${key}: no final answer within the call's deadline`);
      return;
    }

    this.ended('gave_up', `${key}: ${String(error)}`);
  }

  private ended(outcome: CallOutcome, detail?: string): void {
    this.outcomes.add(outcome);
    if (detail && this.endings.length < 20) this.endings.push(`${outcome} ${detail}`);
  }
}

/** `503 service_unavailable`, `0 network_error`: what a retried attempt met. */
function retryLabel(event: RetryEvent): string {
  return `${event.error.status} ${event.error.code}`;
}
