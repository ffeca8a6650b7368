import { Injectable } from '@nestjs/common';

import { SlidingRatio } from './sliding-ratio.js';

/** What became of a charge the service attempted: the processor's answer, or none. */
export type ChargeOutcome = 'succeeded' | 'declined' | 'unavailable';

export const SUCCESS_RATE_WINDOW_MS = 5 * 60_000;
const SUCCESS_RATE_SLOTS = 10;

/**
 * Feeds `payment_success_rate`: succeeded / (succeeded + declined + unavailable) over the
 * charges attempted in the last five minutes (in 30-second steps). Replays, refusals before
 * execution and charges left pending by a processor timeout are not in it.
 */
@Injectable()
export class PaymentMetrics {
  private readonly window: SlidingRatio;

  constructor(now?: () => number) {
    this.window = new SlidingRatio({
      windowMs: SUCCESS_RATE_WINDOW_MS,
      slots: SUCCESS_RATE_SLOTS,
      now,
    });
  }

  recordCharge(outcome: ChargeOutcome): void {
    this.window.record(outcome === 'succeeded');
  }

  /** NaN while no charge was attempted in the window. */
  successRate(): number {
    return this.window.ratio();
  }
}
