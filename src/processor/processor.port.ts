/** Forces an outcome of the simulated processor; ignored when simulation is off. */
export type SimulatedOutcome = 'decline' | 'error' | 'timeout';

export interface ChargeRequest {
  /** Deduplicates charges at the processor: the same key never charges twice. */
  processorKey: string;
  amountMinor: number;
  currency: string;
  paymentMethod: string;
  simulate?: SimulatedOutcome;
}

export type ChargeResult =
  | { outcome: 'succeeded'; reference: string }
  | { outcome: 'declined'; reference: string; reason: string };

/** The port every processor adapter implements. */
export interface PaymentProcessor {
  /** Charges once per processor key; a repeated key returns the first result. */
  charge(request: ChargeRequest, signal?: AbortSignal): Promise<ChargeResult>;

  /** The recorded result for a processor key, or null when the processor never charged it. */
  lookup(processorKey: string): Promise<ChargeResult | null>;
}

/** Injection token of the raw adapter. */
export const PAYMENT_PROCESSOR = Symbol('PAYMENT_PROCESSOR');

/** A failure after which the charge certainly did not happen; safe to retry. */
export class ProcessorTransientError extends Error {
  constructor(message = 'processor failed transiently') {
    super(message);
    this.name = 'ProcessorTransientError';
  }
}
