import { PaymentMetrics, SUCCESS_RATE_WINDOW_MS } from './payment-metrics.service.js';
import { SlidingRatio } from './sliding-ratio.js';

function clock(start = 1_000_000) {
  let now = start;

  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('SlidingRatio', () => {
  it('is NaN before anything was observed', () => {
    expect(new SlidingRatio({ windowMs: 1000, slots: 10 }).ratio()).toBeNaN();
  });

  it('is the share of hits within the window', () => {
    const time = clock();
    const ratio = new SlidingRatio({ windowMs: 1000, slots: 10, now: time.now });

    ratio.record(true);
    ratio.record(true);
    time.advance(300);
    ratio.record(false);

    expect(ratio.ratio()).toBeCloseTo(2 / 3);
  });

  it('forgets observations once the window has moved past them', () => {
    const time = clock();
    const ratio = new SlidingRatio({ windowMs: 1000, slots: 10, now: time.now });

    ratio.record(false);
    time.advance(600);
    ratio.record(true);
    time.advance(500);

    expect(ratio.ratio()).toBe(1);
    time.advance(1000);
    expect(ratio.ratio()).toBeNaN();
  });

  it('reuses a slot for a later step without mixing in the old counts', () => {
    const time = clock(0);
    const ratio = new SlidingRatio({ windowMs: 1000, slots: 10, now: time.now });

    ratio.record(false);
    time.advance(1000);
    ratio.record(true);

    expect(ratio.ratio()).toBe(1);
  });
});

describe('PaymentMetrics', () => {
  it('counts succeeded over succeeded, declined and unavailable in the last five minutes', () => {
    const time = clock();
    const metrics = new PaymentMetrics(time.now);

    metrics.recordCharge('succeeded');
    metrics.recordCharge('succeeded');
    metrics.recordCharge('succeeded');
    metrics.recordCharge('declined');
    expect(metrics.successRate()).toBe(0.75);

    time.advance(SUCCESS_RATE_WINDOW_MS / 2);
    metrics.recordCharge('unavailable');
    expect(metrics.successRate()).toBe(0.6);

    time.advance(SUCCESS_RATE_WINDOW_MS / 2 + 1);
    expect(metrics.successRate()).toBe(0);
  });
});
