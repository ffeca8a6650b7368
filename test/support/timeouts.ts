/**
 * Booting an instance takes a few seconds, but on a shared two-core machine busy with other
 * test runs it has taken over 25 s. Suites that start instances wait this long for them, and
 * give the hook that starts them (or two of them) room to do so.
 */
export const BOOT_TIMEOUT_MS = 90_000;
export const BOOT_HOOK_TIMEOUT_MS = 2 * BOOT_TIMEOUT_MS + 30_000;
