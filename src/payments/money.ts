/** ISO 4217 minor-unit exponents of the currencies the service accepts. */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  USD: 2,
  EUR: 2,
  GBP: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  NZD: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  SGD: 2,
  HKD: 2,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  BHD: 3,
};

export const SUPPORTED_CURRENCIES = Object.keys(CURRENCY_EXPONENTS);

export const MAX_MAJOR_AMOUNT = 1_000_000;

export function isSupportedCurrency(code: unknown): code is string {
  return typeof code === 'string' && Object.hasOwn(CURRENCY_EXPONENTS, code);
}

/**
 * Converts a major-unit amount to integer minor units, or returns null when the amount has
 * more decimals than the currency allows. `toFixed` round-trips exactly for every amount a
 * client can type, so 19.99 becomes 1999 without float drift.
 */
export function toMinorUnits(amount: number, currency: string): number | null {
  const exponent = CURRENCY_EXPONENTS[currency];
  if (exponent === undefined || !Number.isFinite(amount)) return null;

  const fixed = amount.toFixed(exponent);
  if (Number(fixed) !== amount) return null;

  return Number(fixed.replace('.', ''));
}

export function toMajorUnits(amountMinor: number, currency: string): number {
  const exponent = CURRENCY_EXPONENTS[currency] ?? 2;

  return Number((amountMinor / 10 ** exponent).toFixed(exponent));
}
