import type { ServerProcess } from '../harness/server-process.js';

export interface MemorySample {
  atSeconds: number;
  rssMb: number;
}

export interface SoakVerdict {
  baselineMb: number;
  finalMb: number;
  growth: number;
  ok: boolean;
}

const EDGE_SAMPLES = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)];
}

/** Resident memory of the service's processes (summed over instances), read from /proc. */
export class MemoryWatch {
  readonly samples: MemorySample[] = [];
  readonly startMb: number;
  /** RSS and peak RSS when the load stopped, read before the processes exit. */
  endMb = 0;
  peakMb = 0;
  private timer: NodeJS.Timeout | null = null;
  private warmup: NodeJS.Timeout | null = null;
  private startedAt = 0;

  constructor(private readonly servers: ServerProcess[]) {
    this.startMb = this.nowMb();
  }

  nowMb(): number {
    return this.servers.reduce((sum, server) => sum + server.rssMb().now, 0);
  }

  /** The highest RSS each process reached (VmHWM), summed. */
  private peakSoFarMb(): number {
    return this.servers.reduce((sum, server) => sum + server.rssMb().peak, 0);
  }

  /** Samples every `everyMs` once `warmupMs` has passed. */
  start(warmupMs: number, everyMs: number): void {
    this.startedAt = performance.now();
    this.warmup = setTimeout(() => {
      this.sample();
      this.timer = setInterval(() => this.sample(), everyMs);
    }, warmupMs);
  }

  /** Takes the final readings; call it while the processes still run. */
  stop(): void {
    this.endMb = this.nowMb();
    this.peakMb = this.peakSoFarMb();
    if (this.warmup) clearTimeout(this.warmup);
    if (this.timer === null) return;

    clearInterval(this.timer);
    this.timer = null;
    this.sample();
  }

  /**
   * Growth from the median of the first samples after warm-up to the median of the last
   * ones; medians, so one garbage-collection swing does not decide the verdict.
   */
  verdict(maxGrowth: number): SoakVerdict | null {
    if (this.samples.length < EDGE_SAMPLES * 2) return null;

    const values = this.samples.map((sample) => sample.rssMb);
    const baselineMb = median(values.slice(0, EDGE_SAMPLES));
    const finalMb = median(values.slice(-EDGE_SAMPLES));
    const growth = finalMb / baselineMb - 1;

    return { baselineMb, finalMb, growth, ok: growth <= maxGrowth };
  }

  private sample(): void {
    const atSeconds = (performance.now() - this.startedAt) / 1000;
    this.samples.push({ atSeconds, rssMb: this.nowMb() });
  }
}
