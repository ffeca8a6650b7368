import { Inject, Injectable } from '@nestjs/common';

import { APP_CONFIG } from '../config/config.module.js';
import type { AppConfig, RateLimitConfig } from '../config/config.types.js';
import type { RouteRateLimit } from './rate-limit.decorator.js';
import { SCOPE_NAMES } from './rate-limit.types.js';
import type { Rule, ScopeCheck, ScopeName } from './rate-limit.types.js';

/** Who is asking, as far as rate limiting cares. */
export interface Caller {
  accountId: string | null;
  ip: string;
}

/** Braces would move a key to another Cluster slot; nothing a caller sends may add them. */
function tagSafe(value: string): string {
  return value.replace(/[{}]/g, (brace) => (brace === '{' ? '%7B' : '%7D'));
}

/**
 * Which scopes apply to a request and the counters they use. Per-caller keys share a hash tag
 * (`{u:...}`, `{ip:...}`) so that a caller's scopes sit in one Redis Cluster slot.
 */
@Injectable()
export class RateLimitPolicy {
  private readonly limits: RateLimitConfig;
  private readonly shadow: ReadonlySet<string>;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.limits = config.rateLimits;
    this.shadow = new Set(config.rateLimits.shadowScopes);
  }

  /** The configured rule of every scope, in the contract's order. */
  rules(): { scope: ScopeName; rule: Rule }[] {
    return SCOPE_NAMES.map((scope) => ({ scope, rule: this.ruleOf(scope) }));
  }

  /**
   * The checks for one request: global and ip always; user and burst for an identified caller;
   * endpoint when the route is marked for it. The caller's own scopes come first, so that on a
   * cluster the scope most likely to refuse is asked before the shared global one.
   */
  checksFor(caller: Caller, route: RouteRateLimit | undefined): ScopeCheck[] {
    const checks: ScopeCheck[] = [];
    if (caller.accountId !== null) {
      const account = `rl:{u:${tagSafe(caller.accountId)}}`;
      if (route?.endpoint) checks.push(this.endpointCheck(account, route.endpoint));
      checks.push(this.check('burst', `${account}:burst`));
      checks.push(this.check('user', `${account}:user`));
    }
    checks.push(this.check('ip', `rl:{ip:${tagSafe(caller.ip)}}:ip`));
    checks.push(this.check('global', 'rl:{global}:global'));

    return checks;
  }

  /** Every scope an identified caller can be held to, the default endpoint included. */
  allChecksFor(caller: Caller & { accountId: string }): ScopeCheck[] {
    return this.checksFor(caller, { endpoint: { name: 'payments' } });
  }

  private endpointCheck(account: string, endpoint: NonNullable<RouteRateLimit['endpoint']>) {
    const rule: Rule = {
      algorithm: 'sliding_window',
      limit: endpoint.limit ?? this.limits.payments.limit,
      windowMs: endpoint.windowMs ?? this.limits.payments.windowMs,
    };

    return this.check('endpoint', `${account}:endpoint:${tagSafe(endpoint.name)}`, rule);
  }

  private check(scope: ScopeName, key: string, rule = this.ruleOf(scope)): ScopeCheck {
    return { scope, key, rule, enforced: !this.shadow.has(scope) };
  }

  private ruleOf(scope: ScopeName): Rule {
    if (scope === 'burst') return { algorithm: 'token_bucket', ...this.limits.burst };

    const window = scope === 'endpoint' ? this.limits.payments : this.limits[scope];

    return { algorithm: 'sliding_window', ...window };
  }
}
