import { SCOPE_NAMES, limitOf, windowSecondsOf } from './rate-limit.types.js';
import type { ScopeStanding } from './rate-limit.types.js';

/** Whole seconds a client should wait, never less than one: partial seconds round up. */
export function wholeSecondsUp(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

function byContractOrder(a: ScopeStanding, b: ScopeStanding): number {
  return SCOPE_NAMES.indexOf(a.check.scope) - SCOPE_NAMES.indexOf(b.check.scope);
}

/** Fewest remaining; on a tie, the smallest limit. */
export function mostRestrictive(standings: readonly ScopeStanding[]): ScopeStanding | undefined {
  let chosen: ScopeStanding | undefined;
  for (const standing of standings) {
    if (
      !chosen ||
      standing.remaining < chosen.remaining ||
      (standing.remaining === chosen.remaining &&
        limitOf(standing.check.rule) < limitOf(chosen.check.rule))
    ) {
      chosen = standing;
    }
  }

  return chosen;
}

/**
 * The rate-limit response headers for the enforced scopes: the most restrictive as
 * X-RateLimit-*, and every scope as the IETF `RateLimit-Policy` and `RateLimit` fields.
 * `nowMs` is the deciding clock's time, from which `X-RateLimit-Reset` is an epoch second.
 */
export function rateLimitHeaders(
  standings: readonly ScopeStanding[],
  nowMs: number,
): Record<string, string> {
  const shown = standings.filter((standing) => standing.check.enforced).sort(byContractOrder);
  const tightest = mostRestrictive(shown);
  if (!tightest) return {};

  const policy = shown.map(({ check }) => {
    const quota = limitOf(check.rule);
    return `"${check.scope}";q=${quota};w=${windowSecondsOf(check.rule)}`;
  });
  const state = shown.map(
    ({ check, remaining, resetMs }) =>
      `"${check.scope}";r=${remaining};t=${Math.ceil(resetMs / 1000)}`,
  );

  return {
    'X-RateLimit-Limit': String(limitOf(tightest.check.rule)),
    'X-RateLimit-Remaining': String(tightest.remaining),
    'X-RateLimit-Reset': String(Math.ceil((nowMs + tightest.resetMs) / 1000)),
    'RateLimit-Policy': policy.join(', '),
    RateLimit: state.join(', '),
  };
}
