interface Slot {
  index: number;
  hits: number;
  total: number;
}

export interface SlidingRatioOptions {
  windowMs: number;
  /** How many steps the window moves in; more slots, smoother decay, more memory. */
  slots: number;
  now?: () => number;
}

/**
 * The share of hits among observations in the recent past. The window advances in steps of
 * `windowMs / slots`, so it always covers between `windowMs - step` and `windowMs`.
 */
export class SlidingRatio {
  private readonly slots: Slot[];
  private readonly stepMs: number;
  private readonly now: () => number;

  constructor(options: SlidingRatioOptions) {
    this.stepMs = options.windowMs / options.slots;
    this.now = options.now ?? Date.now;
    this.slots = Array.from({ length: options.slots }, () => ({ index: -1, hits: 0, total: 0 }));
  }

  record(hit: boolean): void {
    const index = this.currentIndex();
    const slot = this.slots[index % this.slots.length];
    if (slot.index !== index) Object.assign(slot, { index, hits: 0, total: 0 });

    slot.total += 1;
    if (hit) slot.hits += 1;
  }

  /** Hits over observations within the window; NaN when there were none (no data, not 0%). */
  ratio(): number {
    const oldest = this.currentIndex() - this.slots.length;
    const live = this.slots.filter((slot) => slot.index > oldest);
    const total = live.reduce((sum, slot) => sum + slot.total, 0);
    const hits = live.reduce((sum, slot) => sum + slot.hits, 0);

    return total === 0 ? Number.NaN : hits / total;
  }

  private currentIndex(): number {
    return Math.floor(this.now() / this.stepMs);
  }
}
