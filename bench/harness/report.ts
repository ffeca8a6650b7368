import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

import type { Measurement } from './load.js';

export interface Row {
  name: string;
  rounds: Measurement[];
  /** The row this one is compared with; its own ratio is 1. */
  baseline?: string;
  /** The least acceptable ratio to the baseline's req/s, when there is a target. */
  target?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);

  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function medianOf(rounds: Measurement[]): Measurement {
  const pick = (key: keyof Measurement) => median(rounds.map((round) => round[key]));

  return {
    requestsPerSecond: pick('requestsPerSecond'),
    p50Ms: pick('p50Ms'),
    p99Ms: pick('p99Ms'),
    cpuMsPerRequest: pick('cpuMsPerRequest'),
    peakRssMb: Math.max(...rounds.map((round) => round.peakRssMb)),
    non2xx: rounds.reduce((sum, round) => sum + round.non2xx, 0),
    errors: rounds.reduce((sum, round) => sum + round.errors, 0),
  };
}

function verdict(ratio: number, target: number | undefined): string {
  if (target === undefined) return '';

  return ratio >= target ? ` (target ${target}: met)` : ` (target ${target}: MISSED)`;
}

/** A markdown table of medians, each row also as a ratio to its baseline. */
export function markdownTable(title: string, rows: Row[]): string {
  const medians = new Map(rows.map((row) => [row.name, medianOf(row.rounds)]));
  const lines = [
    `### ${title}`,
    '',
    '| scenario | req/s | p50 ms | p99 ms | p99/p50 | CPU ms/req | peak RSS MB | ratio | non-2xx |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
  ];
  for (const row of rows) {
    const m = medians.get(row.name)!;
    const base = row.baseline ? medians.get(row.baseline) : undefined;
    const ratio = base ? m.requestsPerSecond / base.requestsPerSecond : 1;
    const ratioText = base
      ? `${ratio.toFixed(2)}x ${row.baseline}${verdict(ratio, row.target)}`
      : 'baseline';
    lines.push(
      `| ${row.name} | ${m.requestsPerSecond.toFixed(0)} | ${m.p50Ms.toFixed(1)} | ` +
        `${m.p99Ms.toFixed(1)} | ${(m.p99Ms / Math.max(0.1, m.p50Ms)).toFixed(1)} | ` +
        `${m.cpuMsPerRequest.toFixed(3)} | ${m.peakRssMb.toFixed(0)} | ` +
        `${ratioText} | ${m.non2xx} |`,
    );
  }

  return lines.join('\n');
}

export function writeReport(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${text}\n`);
}
