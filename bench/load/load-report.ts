import { seconds } from '../harness/cli-options.js';
import type { LedgerReport } from '../harness/ledger-check.js';
import type { LoadOptions } from './load-options.js';
import type { LoadRun } from './load-run.js';
import type { MemoryWatch } from './memory-watch.js';
import { KINDS } from './traffic-mix.js';

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const mb = (value: number | null) => (value === null ? '?' : `${value.toFixed(1)} MB`);
const pad = (text: string | number, width: number) => String(text).padEnd(width);
const padLeft = (text: string | number, width: number) => String(text).padStart(width);

/** `requests 1200 | 49.8 req/s | 201:500 200:690 | p50 12ms p99 80ms | in flight 3` */
export function progressLine(run: LoadRun): string {
  const elapsed = run.elapsedSeconds();
  const rate = elapsed > 0 ? run.overall.count / elapsed : 0;
  const p50 = run.overall.percentile(50).toFixed(0);
  const p99 = run.overall.percentile(99).toFixed(0);
  const violations = run.violations.count();

  return (
    `requests ${run.sent} | ${rate.toFixed(1)} req/s | ${run.allStatuses} | ` +
    `p50 ${p50}ms p99 ${p99}ms | in flight ${run.inFlight}` +
    (violations > 0 ? ` | violations ${violations}` : '')
  );
}

function kindTable(run: LoadRun): string[] {
  const lines = [
    `  ${pad('kind', 12)}${padLeft('count', 7)}  ${pad('statuses', 30)}${padLeft('p50 ms', 8)}` +
      `${padLeft('p99 ms', 8)}${padLeft('max ms', 8)}`,
  ];
  for (const kind of KINDS) {
    const latency = run.latency.get(kind)!;
    const statuses = run.statuses.get(kind)!;
    if (statuses.total() === 0) continue;
    const ms = [latency.percentile(50), latency.percentile(99)].map((v) =>
      padLeft(v.toFixed(1), 8),
    );
    lines.push(
      `  ${pad(kind, 12)}${padLeft(statuses.total(), 7)}  ${pad(statuses.toString(), 30)}` +
        `${ms.join('')}${padLeft(latency.max().toFixed(0), 8)}`,
    );
  }

  return lines;
}

/** Every invariant of a load run, each with its evidence. */
export function loadChecks(
  run: LoadRun,
  ledger: LedgerReport,
  options: LoadOptions,
  memory: MemoryWatch,
  exits: string[],
): Check[] {
  const transportFailures = run.violations.count('request failed without an answer');
  const other5xx = run.violations.count('undocumented 5xx');
  const unanswered = run.violations
    .list()
    .filter((line) => /^(request hung|request failed without an answer)/.test(line));
  const other = run.violations
    .list()
    .filter(
      (line) =>
        !/^(undocumented 5xx|request hung|request failed without an answer|replay differs)/.test(
          line,
        ),
    );
  const checks: Check[] = [
    {
      name: 'every 201/402 stored once, one charge per key, ledger and audit agree',
      ok: ledger.violations.length === 0,
      detail:
        ledger.violations.length === 0
          ? `${ledger.acknowledged} acknowledged, ${ledger.payments} payments, ` +
            `${ledger.charges} charges`
          : ledger.violations.join('\n      '),
    },
    {
      name: 'replays identical to the first answer',
      ok: run.violations.count('replay differs from the first answer') === 0,
      detail: `${run.replaysCompared} replays compared byte for byte`,
    },
    {
      name: 'no 5xx other than documented 503s',
      ok: other5xx === 0,
      detail: `${run.documented503} documented 503s, ${other5xx} other 5xx`,
    },
    {
      name: 'no request hung or went unanswered',
      ok: run.hung === 0 && transportFailures === 0,
      detail: [
        `timeout ${seconds(options.timeoutMs)}; hung ${run.hung}, ` +
          `no answer ${transportFailures}; slowest ${run.overall.max().toFixed(0)} ms`,
        ...unanswered,
      ].join('\n      '),
    },
    {
      name: 'every instance stayed up',
      ok: exits.length === 0,
      detail: exits.length === 0 ? 'no instance exited during the run' : exits.join('; '),
    },
    {
      name: 'every answer as documented for its request',
      ok: other.length === 0,
      detail: other.length === 0 ? 'statuses and bodies as expected' : other.join('\n      '),
    },
  ];
  const soak = options.soak ? memory.verdict(options.maxGrowth) : null;
  if (options.soak) {
    checks.push({
      name: `server RSS grows at most ${options.maxGrowth * 100}% after warm-up`,
      ok: soak?.ok ?? false,
      detail: soak
        ? `RSS ${soak.baselineMb.toFixed(1)} MB -> ${soak.finalMb.toFixed(1)} MB ` +
          `(${(soak.growth * 100).toFixed(1)}%, medians of the first and last minute); ` +
          `V8 heap used ${mb(soak.heapBaselineMb)} -> ${mb(soak.heapFinalMb)}`
        : 'no samples after warm-up (run longer)',
    });
  }

  return checks;
}

function memoryLines(memory: MemoryWatch, options: LoadOptions): string[] {
  const [start, end, peak] = [memory.startMb, memory.endMb, memory.peakMb].map((v) => v.toFixed(1));
  const lines = [`memory     server RSS start ${start} MB, end ${end} MB, peak ${peak} MB`];
  if (options.soak && memory.samples.length > 0) {
    const perMinute = Math.max(1, Math.round(60_000 / options.sampleEveryMs));
    const series = memory.samples
      .filter((_, index) => index % perMinute === 0)
      .map((sample) => sample.rssMb.toFixed(0));
    lines.push(
      `soak       ${memory.samples.length} RSS samples every ${seconds(options.sampleEveryMs)} ` +
        `after a ${seconds(options.warmupMs)} warm-up; MB at each minute: ${series.join(' ')}`,
    );
  }

  return lines;
}

export function loadSummary(input: {
  run: LoadRun;
  ledger: LedgerReport;
  checks: Check[];
  memory: MemoryWatch;
  options: LoadOptions;
  target: string;
  notes: string[];
}): string {
  const { run, ledger, checks, memory, options } = input;
  const achieved = run.overall.count / Math.max(0.001, options.durationMs / 1000);
  const soak = options.soak ? ' (soak)' : '';
  const statuses = Object.entries(ledger.byStatus)
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  const lines = [
    '',
    `Load: ${options.rate} req/s for ${seconds(options.durationMs)}${soak} ` +
      `against ${options.instances} instance(s) on ${input.target}, ${options.accounts} accounts`,
    ...input.notes.map((note) => `note       ${note}`),
    `requests   ${run.sent} sent, ${run.skipped} skipped at the in-flight cap of ` +
      `${options.maxInFlight}, ${run.overall.count} answered (${achieved.toFixed(1)} req/s)`,
    ...kindTable(run),
    `ledger     ${ledger.payments} payments (${statuses || 'none'}), ${ledger.charges} charges, ` +
      `${ledger.auditEntries} payment audit entries`,
    ...memoryLines(memory, options),
    'invariants',
    ...checks.map(
      (check) => `  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}\n       ${check.detail}`,
    ),
    `result: ${checks.every((check) => check.ok) ? 'PASS' : 'FAIL'}`,
  ];

  return lines.join('\n');
}
