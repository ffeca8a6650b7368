export type PaymentStatus = 'succeeded' | 'failed' | 'pending';

export type PaymentMethod = 'credit_card' | 'debit_card' | 'bank_transfer' | 'wallet';

/** What to charge. `amount` is in major units (49.99 USD); the server stores minor units. */
export interface CreatePaymentInput {
  amount: number;
  currency: string;
  paymentMethod: PaymentMethod;
  description?: string;
  metadata?: Record<string, string>;
}

export interface Payment {
  transactionId: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  description: string | null;
  paymentMethod: PaymentMethod;
  metadata: Record<string, string>;
  idempotencyKey: string;
  createdAt: Date;
}

export interface ListPaymentsQuery {
  /** 1-100, default 50. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  status?: PaymentStatus;
}

export interface PaymentPage {
  data: Payment[];
  nextCursor: string | null;
}

/** The caller's standing in one rate-limit scope. */
export interface RateLimitStanding {
  scope: string;
  algorithm: string;
  limit: number;
  windowSeconds: number;
  remaining: number;
  resetAt: Date;
  /** Token bucket only. */
  capacity?: number;
  /** Token bucket only. */
  refillPerSecond?: number;
}
