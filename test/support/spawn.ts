import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { baseEnv } from './instance.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface Finished {
  /** The exit code; null when it was still running at the deadline and was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a built script (`dist/...`) to completion as its own process, with the quiet test
 * defaults of instances plus `env`; variables set to undefined are removed.
 */
export function runBuilt(
  script: string,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
): Promise<Finished> {
  const merged: Record<string, string | undefined> = { ...process.env, ...baseEnv(), ...env };
  delete merged.NODE_OPTIONS;
  for (const name of Object.keys(merged)) if (merged[name] === undefined) delete merged[name];

  const child = spawn(process.execPath, [resolve(ROOT, script), ...args], {
    cwd: ROOT,
    env: merged,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = setTimeout(() => child.kill('SIGKILL'), timeoutMs);

  return new Promise((done) =>
    child.once('close', (code) => {
      clearTimeout(deadline);
      done({ code, stdout, stderr });
    }),
  );
}
