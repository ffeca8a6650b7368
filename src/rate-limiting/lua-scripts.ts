import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Bumped whenever a script changes: the command name carries it, so instances of two releases
 * side by side each run their own script, never a stale one cached under the same name.
 */
export const SCRIPT_VERSION = 1;

export const LUA_COMMANDS = {
  decide: `rateLimitDecideV${SCRIPT_VERSION}`,
  release: `rateLimitReleaseV${SCRIPT_VERSION}`,
} as const;

/**
 * Reads a script beside this module (`lua/`); the build copies that folder into `dist/`. When
 * only `tsc` ran, the compiled module falls back to the source folder of the same name.
 */
export function readLua(name: string): string {
  const beside = fileURLToPath(new URL(`./lua/${name}`, import.meta.url));
  if (existsSync(beside)) return readFileSync(beside, 'utf8');

  const source = fileURLToPath(new URL(`../../../src/rate-limiting/lua/${name}`, import.meta.url));

  return readFileSync(source, 'utf8');
}
