import { PaymentsApiError } from './errors.js';
import type {
  CreatePaymentInput,
  Payment,
  PaymentMethod,
  PaymentPage,
  PaymentStatus,
  RateLimitStanding,
} from './types.js';

type Json = Record<string, unknown>;

function invalid(what: string): PaymentsApiError {
  return new PaymentsApiError({
    status: 0,
    code: 'invalid_response',
    detail: `the response has no valid ${what}`,
  });
}

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(what);

  return value as Json;
}

function text(json: Json, field: string): string {
  const value = json[field];
  if (typeof value !== 'string') throw invalid(field);

  return value;
}

function number(json: Json, field: string): number {
  const value = json[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field);

  return value;
}

function date(json: Json, field: string): Date {
  const value = new Date(text(json, field));
  if (Number.isNaN(value.getTime())) throw invalid(field);

  return value;
}

function optionalNumber(json: Json, field: string): number | undefined {
  return json[field] === undefined ? undefined : number(json, field);
}

export function toWirePayment(input: CreatePaymentInput): Json {
  return {
    amount: input.amount,
    currency: input.currency,
    payment_method: input.paymentMethod,
    ...(input.description === undefined ? {} : { description: input.description }),
    ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
  };
}

export function toPayment(body: unknown): Payment {
  const json = object(body, 'payment');
  const description = json.description;

  return {
    transactionId: text(json, 'transaction_id'),
    status: text(json, 'status') as PaymentStatus,
    amount: number(json, 'amount'),
    currency: text(json, 'currency'),
    description: typeof description === 'string' ? description : null,
    paymentMethod: text(json, 'payment_method') as PaymentMethod,
    metadata: object(json.metadata ?? {}, 'metadata') as Record<string, string>,
    idempotencyKey: text(json, 'idempotency_key'),
    createdAt: date(json, 'created_at'),
  };
}

export function toPaymentPage(body: unknown): PaymentPage {
  const json = object(body, 'page');
  if (!Array.isArray(json.data)) throw invalid('data');
  const next = json.next_cursor;

  return { data: json.data.map(toPayment), nextCursor: typeof next === 'string' ? next : null };
}

function toStanding(item: unknown): RateLimitStanding {
  const json = object(item, 'rate limit');
  const standing: RateLimitStanding = {
    scope: text(json, 'scope'),
    algorithm: text(json, 'algorithm'),
    limit: number(json, 'limit'),
    windowSeconds: number(json, 'window_seconds'),
    remaining: number(json, 'remaining'),
    resetAt: date(json, 'reset_at'),
  };
  const capacity = optionalNumber(json, 'capacity');
  const refill = optionalNumber(json, 'refill_per_second');
  if (capacity !== undefined) standing.capacity = capacity;
  if (refill !== undefined) standing.refillPerSecond = refill;

  return standing;
}

export function toRateLimits(body: unknown): RateLimitStanding[] {
  const json = object(body, 'rate limits');
  if (!Array.isArray(json.limits)) throw invalid('limits');

  return json.limits.map(toStanding);
}
