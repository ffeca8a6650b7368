const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const SIZE_BYTES: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Parses `250ms`, `5s`, `10m`, `24h`, `400d`; `null` when the text is not a duration. */
export function parseDurationMs(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) return null;

  return Math.round(Number(match[1]) * UNIT_MS[match[2]]);
}

/** Parses `16kb`, `1mb`, `512b` or a plain byte count; `null` when it is not a size. */
export function parseSizeBytes(text: string): number | null {
  const match = /^(\d+)(b|kb|mb)?$/i.exec(text.trim());
  if (!match) return null;

  return Number(match[1]) * SIZE_BYTES[(match[2] ?? 'b').toLowerCase()];
}
