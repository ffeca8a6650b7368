const MAX_SAMPLES = 200_000;

/**
 * Latencies in milliseconds, for percentiles. Past MAX_SAMPLES it keeps a uniform random
 * sample (reservoir sampling), so memory stays bounded however long a run is.
 */
export class LatencyRecorder {
  private readonly samples: number[] = [];
  private seen = 0;
  private sorted = true;

  add(ms: number): void {
    this.seen += 1;
    this.sorted = false;
    if (this.samples.length < MAX_SAMPLES) {
      this.samples.push(ms);
      return;
    }

    const slot = Math.floor(Math.random() * this.seen);
    if (slot < MAX_SAMPLES) this.samples[slot] = ms;
  }

  get count(): number {
    return this.seen;
  }

  /** The p-th percentile (0-100), or 0 before any sample. */
  percentile(p: number): number {
    if (this.samples.length === 0) return 0;
    if (!this.sorted) {
      this.samples.sort((a, b) => a - b);
      this.sorted = true;
    }
    const index = Math.min(this.samples.length - 1, Math.ceil((p / 100) * this.samples.length) - 1);

    return this.samples[Math.max(0, index)];
  }

  max(): number {
    return this.percentile(100);
  }
}

/** Counts by label, e.g. status codes. */
export class Tally {
  private readonly counts = new Map<string, number>();

  add(label: string, by = 1): void {
    this.counts.set(label, (this.counts.get(label) ?? 0) + by);
  }

  get(label: string): number {
    return this.counts.get(label) ?? 0;
  }

  total(): number {
    let sum = 0;
    for (const count of this.counts.values()) sum += count;

    return sum;
  }

  entries(): [string, number][] {
    return [...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  }

  /** `201:120 402:4 503:1`, or `-` when empty. */
  toString(): string {
    const parts = this.entries().map(([label, count]) => `${label}:${count}`);

    return parts.length > 0 ? parts.join(' ') : '-';
  }
}
