import { randomBytes } from 'node:crypto';

export type RequestKind = 'create' | 'replay' | 'read' | 'list' | 'rate_limits';

/** Relative weights of each kind of request in the mix. */
export const MIX: Readonly<Record<RequestKind, number>> = {
  create: 40,
  replay: 15,
  read: 20,
  list: 15,
  rate_limits: 10,
};

export const KINDS = Object.keys(MIX) as RequestKind[];

export interface LoadAccount {
  account: string;
  apiKey: string;
}

/** Picks a kind by weight among the kinds still enabled. */
export function pickKind(enabled: RequestKind[], random: () => number = Math.random) {
  const total = enabled.reduce((sum, kind) => sum + MIX[kind], 0);
  let point = random() * total;
  for (const kind of enabled) {
    point -= MIX[kind];
    if (point < 0) return kind;
  }

  return enabled[enabled.length - 1];
}

/** Fresh accounts for one run, each with a random API key given to the service in API_KEYS. */
export function makeAccounts(count: number): LoadAccount[] {
  return Array.from({ length: count }, (_, index) => ({
    account: `load-account-${index + 1}`,
    apiKey: `load_${randomBytes(24).toString('hex')}`,
  }));
}

export function apiKeysEnv(accounts: LoadAccount[]): string {
  return accounts.map(({ account, apiKey }) => `${account}:${apiKey}`).join(',');
}

const CURRENCIES: [string, number][] = [
  ['USD', 2],
  ['EUR', 2],
  ['GBP', 2],
  ['JPY', 0],
  ['KWD', 3],
];
const METHODS = ['credit_card', 'debit_card', 'bank_transfer', 'wallet'];
const DECLINE_SHARE = 0.05;

/** A valid payment body; about one in twenty asks the simulated processor to decline. */
export function paymentBody(sequence: number, random: () => number = Math.random) {
  const [currency, digits] = CURRENCIES[sequence % CURRENCIES.length];
  const amount = Number((1 + random() * 500).toFixed(digits));
  const metadata: Record<string, string> = { order_id: `order-${sequence}` };
  if (random() < DECLINE_SHARE) metadata.simulate = 'decline';

  return {
    amount,
    currency,
    payment_method: METHODS[sequence % METHODS.length],
    description: `load test order ${sequence}`,
    metadata,
  };
}

const HEADROOM = 3;

/**
 * Rate limits sized to the traffic: each scope admits about three times what the mix sends
 * it on average, so the limiter is exercised on every request while only real bursts meet a
 * 429. Variables already set in the environment win.
 */
export function limitsFor(rate: number, accounts: number): Record<string, string> {
  const perAccountPerMinute = Math.ceil((rate * 60 * HEADROOM) / accounts);
  const paymentsShare = (MIX.create + MIX.replay) / KINDS.reduce((sum, k) => sum + MIX[k], 0);
  const perAccountPerSecond = Math.ceil((rate * HEADROOM) / accounts);
  const limits: Record<string, string> = {
    RATE_LIMIT_GLOBAL: `${rate * 60 * HEADROOM}/60s`,
    RATE_LIMIT_IP: `${rate * 60 * HEADROOM}/60s`,
    RATE_LIMIT_USER: `${perAccountPerMinute}/60s`,
    RATE_LIMIT_PAYMENTS: `${Math.ceil(perAccountPerMinute * paymentsShare)}/60s`,
    RATE_LIMIT_BURST: `${perAccountPerSecond}/s:${perAccountPerSecond * 2}`,
  };
  for (const name of Object.keys(limits)) {
    if (process.env[name]) limits[name] = process.env[name]!;
  }

  return limits;
}
