import { Logger } from '@nestjs/common';
import { Cluster } from 'ioredis';

import type { RedisClient } from '../redis/redis.module.js';
import { LUA_COMMANDS, readLua } from './lua-scripts.js';
import { TurnBatcher } from './turn-batcher.js';
import type {
  Decision,
  RateLimitStore,
  Rule,
  ScopeCheck,
  ScopeStanding,
} from './rate-limit.types.js';

type ScriptCommand = (keyCount: number, ...keysThenArgs: (string | number)[]) => Promise<unknown>;

const FIELDS_PER_SCOPE = 4;

function defineScripts(client: RedisClient): void {
  client.defineCommand(LUA_COMMANDS.decide, { lua: readLua('rate-limit.lua') });
  client.defineCommand(LUA_COMMANDS.release, { lua: readLua('release.lua') });
}

function ruleArgs(rule: Rule): (string | number)[] {
  return rule.algorithm === 'sliding_window'
    ? ['w', rule.limit, rule.windowMs]
    : ['b', rule.capacity, rule.refillPerSecond];
}

/** The part of a key Redis Cluster hashes: the first non-empty `{...}`, else the whole key. */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  const close = open === -1 ? -1 : key.indexOf('}', open + 1);

  return close > open + 1 ? key.slice(open + 1, close) : key;
}

/** Checks grouped by hash tag, in the order their first member appears. */
export function groupBySlot(checks: readonly ScopeCheck[]): ScopeCheck[][] {
  const groups = new Map<string, ScopeCheck[]>();
  for (const check of checks) {
    const tag = hashTagOf(check.key);
    const group = groups.get(tag);
    if (group) group.push(check);
    else groups.set(tag, [check]);
  }

  return [...groups.values()];
}

function parseDecision(checks: readonly ScopeCheck[], reply: unknown): Decision {
  const values = (reply as (number | string)[]).map(Number);
  const standings = checks.map((check, index): ScopeStanding => {
    const base = 2 + FIELDS_PER_SCOPE * index;
    return {
      check,
      allows: values[base] === 1,
      remaining: values[base + 1],
      resetMs: values[base + 2],
      retryAfterMs: values[base + 3],
    };
  });

  return { allowed: values[0] === 1, nowMs: values[1], standings };
}

/** One decision from parts decided per slot, its standings in the order of `checks`. */
function mergeDecisions(checks: readonly ScopeCheck[], parts: Decision[], nowMs: number): Decision {
  const byKey = new Map<string, ScopeStanding>();
  for (const part of parts)
    for (const standing of part.standings) byKey.set(standing.check.key, standing);

  return {
    allowed: parts.every((part) => part.allowed),
    nowMs,
    standings: checks.map((check) => byKey.get(check.key)!),
  };
}

/**
 * Counters in Redis, decided by `rate-limit.lua` with Redis's own clock. On a single server
 * every scope of a request is decided in one script call. On a cluster, scopes whose keys hash
 * to different slots cannot share a script: each slot group reserves in turn, and when a later
 * group refuses, the earlier reservations are given back (see the README, "Rate limiting").
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly logger = new Logger(RedisRateLimitStore.name);
  private readonly clustered: boolean;
  /** On a single server, decisions of one event-loop turn share a pipeline. */
  private readonly batcher: TurnBatcher | null;

  constructor(private readonly client: RedisClient) {
    defineScripts(client);
    this.clustered = client instanceof Cluster;
    this.batcher = client instanceof Cluster ? null : new TurnBatcher(client, LUA_COMMANDS.decide);
  }

  consume(checks: readonly ScopeCheck[]): Promise<Decision> {
    if (!this.clustered) return this.decide(checks, 'consume');

    return this.consumeSlotBySlot(checks);
  }

  async peek(checks: readonly ScopeCheck[]): Promise<Decision> {
    if (!this.clustered) return this.decide(checks, 'peek');

    const parts = await Promise.all(groupBySlot(checks).map((group) => this.decide(group, 'peek')));

    return mergeDecisions(checks, parts, parts[0]?.nowMs ?? Date.now());
  }

  private async consumeSlotBySlot(checks: readonly ScopeCheck[]) {
    const groups = groupBySlot(checks);
    const taken: Decision[] = [];
    for (const group of groups) {
      const decision = await this.decide(group, 'consume').catch(async (error) => {
        await this.release(taken);
        throw error;
      });
      if (!decision.allowed) {
        await this.release(taken);
        return this.refusedDecision(checks, groups, decision);
      }
      taken.push(decision);
    }

    return mergeDecisions(checks, taken, taken[0]?.nowMs ?? Date.now());
  }

  /** The refusing slot's standings as decided, the other slots' as they are after release. */
  private async refusedDecision(
    checks: readonly ScopeCheck[],
    groups: ScopeCheck[][],
    refusal: Decision,
  ): Promise<Decision> {
    const refusedKeys = new Set(refusal.standings.map((standing) => standing.check.key));
    const others = groups.filter((group) => !refusedKeys.has(group[0].key));
    const peeked = await Promise.all(others.map((group) => this.decide(group, 'peek')));
    const merged = mergeDecisions(checks, [refusal, ...peeked], refusal.nowMs);

    return { ...merged, allowed: false };
  }

  /**
   * Gives back what earlier slot groups took. A give-back that fails leaves a unit counted that
   * was never used: the limit stays safe (it can only refuse early) until the unit expires.
   */
  private async release(taken: Decision[]): Promise<void> {
    const results = await Promise.allSettled(taken.map((decision) => this.releaseTaken(decision)));
    const failed = results.filter((result) => result.status === 'rejected').length;
    if (failed > 0) this.logger.warn({ failed }, 'could not give back reserved rate-limit units');
  }

  /** Each slot group's script stamped the request with its own clock: that stamp goes back. */
  private async releaseTaken(decision: Decision): Promise<void> {
    const checks = decision.standings
      .filter((standing) => standing.allows)
      .map((standing) => standing.check);
    if (checks.length === 0) return;

    const args = checks.flatMap((check) => ruleArgs(check.rule));
    const command = this.command(LUA_COMMANDS.release);

    const keys = checks.map((check) => check.key);
    await command(checks.length, ...keys, decision.nowMs, ...args);
  }

  private async decide(checks: readonly ScopeCheck[], mode: 'consume' | 'peek'): Promise<Decision> {
    const args = checks.flatMap((check) => [...ruleArgs(check.rule), check.enforced ? 1 : 0]);
    const keys = checks.map((check) => check.key);
    const call = [checks.length, ...keys, mode, ...args];
    const reply = this.batcher
      ? await this.batcher.call(call)
      : await this.command(LUA_COMMANDS.decide)(...(call as [number, ...(string | number)[]]));

    return parseDecision(checks, reply);
  }

  private command(name: string): ScriptCommand {
    const commands = this.client as unknown as Record<string, ScriptCommand>;

    return (...args) => commands[name](...args);
  }
}
