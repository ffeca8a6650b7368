import type { ServerProcess } from '../harness/server-process.js';

export interface MemorySample {
  atSeconds: number;
  rssMb: number;
  /** V8 heap in use (from /metrics), to tell a leak from a heap that grew to absorb a backlog. */
  heapUsedMb: number | null;
}

export interface SoakVerdict {
  baselineMb: number;
  finalMb: number;
  growth: number;
  ok: boolean;
  heapBaselineMb: number | null;
  heapFinalMb: number | null;
}

/** The first and the last minute of samples (at one every 5 s) are compared. */
const EDGE_SAMPLES = 12;
const HEAP_METRIC = /^nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m;

/** The service's V8 heap in use, summed over instances; null when /metrics does not answer. */
async function heapUsedMb(servers: ServerProcess[]): Promise<number | null> {
  try {
    const texts = await Promise.all(
      servers.map(async (server) => {
        const response = await fetch(`${server.url}/metrics`, {
          signal: AbortSignal.timeout(2000),
        });
        return response.text();
      }),
    );
    const bytes = texts.map((text) => Number(HEAP_METRIC.exec(text)?.[1] ?? NaN));

    return bytes.some(Number.isNaN) ? null : bytes.reduce((a, b) => a + b, 0) / 1024 / 1024;
  } catch {
    return null;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);

  return sorted[Math.floor(sorted.length / 2)];
}

function medianHeap(samples: MemorySample[]): number | null {
  const known = samples.flatMap((sample) =>
    sample.heapUsedMb === null ? [] : [sample.heapUsedMb],
  );

  return known.length > 0 ? median(known) : null;
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

  /** Processes that exited count as nothing; the run reports their exit separately. */
  nowMb(): number {
    return this.running().reduce((sum, server) => sum + server.rssMb().now, 0);
  }

  /** The highest RSS each process reached (VmHWM), summed. */
  private peakSoFarMb(): number {
    return this.running().reduce((sum, server) => sum + server.rssMb().peak, 0);
  }

  private running(): ServerProcess[] {
    return this.servers.filter((server) => server.alive());
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
   * Growth from the median of the first minute of samples after warm-up to the median of the
   * last minute; medians, so one garbage-collection swing does not decide the verdict.
   */
  verdict(maxGrowth: number): SoakVerdict | null {
    const edge = Math.min(EDGE_SAMPLES, Math.floor(this.samples.length / 2));
    if (edge < 1) return null;

    const first = this.samples.slice(0, edge);
    const last = this.samples.slice(-edge);
    const baselineMb = median(first.map((sample) => sample.rssMb));
    const finalMb = median(last.map((sample) => sample.rssMb));
    const growth = finalMb / baselineMb - 1;

    return {
      baselineMb,
      finalMb,
      growth,
      ok: growth <= maxGrowth,
      heapBaselineMb: medianHeap(first),
      heapFinalMb: medianHeap(last),
    };
  }

  private sample(): void {
    const atSeconds = (performance.now() - this.startedAt) / 1000;
    const sample: MemorySample = { atSeconds, rssMb: this.nowMb(), heapUsedMb: null };
    this.samples.push(sample);
    void heapUsedMb(this.servers).then((mb) => (sample.heapUsedMb = mb));
  }
}
