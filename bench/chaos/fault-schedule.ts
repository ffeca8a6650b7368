import { setTimeout as sleep } from 'node:timers/promises';

import type { InstanceFleet } from './instance-fleet.js';
import type { OwnPostgres } from './own-postgres.js';
import type { OwnRedis } from './own-redis.js';

export interface FaultCounts {
  instanceKills: number;
  redisRestarts: number;
  postgresRestarts: number;
}

export interface FaultPlan {
  /** Faults stop after this, so the end of the run shows the recovery. */
  faultWindowMs: number;
  killEveryMs: number;
  /** When, from the start, Redis and PostgreSQL go down. */
  redisAtMs: number;
  postgresAtMs: number;
  /** How long a killed instance or a stopped server stays down. */
  downMs: number;
}

const TICK_MS = 200;

/** Spreads the faults over a run: Redis at 30%, PostgreSQL at 60%, instance kills throughout. */
export function faultPlan(durationMs: number): FaultPlan {
  return {
    faultWindowMs: durationMs * 0.85,
    killEveryMs: Math.min(15_000, Math.max(5000, durationMs / 12)),
    redisAtMs: durationMs * 0.3,
    postgresAtMs: durationMs * 0.6,
    downMs: 2000,
  };
}

interface Targets {
  fleet: InstanceFleet;
  redis: OwnRedis;
  postgres: OwnPostgres;
  log: (line: string) => void;
  /** Told the counts after every fault, for the progress line. */
  counts: (counts: FaultCounts) => void;
}

/**
 * Applies the plan: SIGKILL of a random running instance (restarted in the background, so
 * kills keep their pace however slowly an instance boots; one instance is always left up), a
 * Redis crash and restart, and a fast shutdown and start of PostgreSQL. Redis and PostgreSQL
 * go down one at a time so each one's effect can be told apart in the logs. Returns how many
 * of each happened; fails if an instance could not be restarted.
 */
export async function runFaults(plan: FaultPlan, targets: Targets): Promise<FaultCounts> {
  const counts: FaultCounts = { instanceKills: 0, redisRestarts: 0, postgresRestarts: 0 };
  const restarts = new Map<number, Promise<void>>();
  const failures: unknown[] = [];
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let nextKillAt = plan.killEveryMs;

  while (elapsed() < plan.faultWindowMs && failures.length === 0) {
    if (counts.redisRestarts === 0 && elapsed() >= plan.redisAtMs) {
      await restartRedis(targets, plan.downMs);
      counts.redisRestarts += 1;
    } else if (counts.postgresRestarts === 0 && elapsed() >= plan.postgresAtMs) {
      await restartPostgres(targets, plan.downMs);
      counts.postgresRestarts += 1;
    } else if (elapsed() >= nextKillAt) {
      const index = victim(targets.fleet, restarts);
      if (index !== null) {
        counts.instanceKills += 1;
        const restart = killAndRestart(targets, index, plan.downMs)
          .catch((error: unknown) => void failures.push(error))
          .finally(() => restarts.delete(index));
        restarts.set(index, restart);
      }
      nextKillAt = elapsed() + plan.killEveryMs;
    }
    targets.counts({ ...counts });
    await sleep(TICK_MS);
  }

  await Promise.all(restarts.values());
  if (failures.length > 0) throw failures[0];

  return counts;
}

/** A random instance that is up and not restarting, unless it is the last one serving. */
function victim(fleet: InstanceFleet, restarts: Map<number, Promise<void>>): number | null {
  const running = Array.from({ length: fleet.size }, (_, index) => index).filter(
    (index) => !restarts.has(index) && fleet.isUp(index),
  );
  if (running.length < 2) return null;

  return running[Math.floor(Math.random() * running.length)];
}

async function killAndRestart({ fleet, log }: Targets, index: number, downMs: number) {
  log(`fault: SIGKILL instance ${index + 1}`);
  await fleet.crash(index);
  await sleep(downMs / 2);
  await fleet.restart(index);
  log(`fault: instance ${index + 1} back`);
}

async function restartRedis({ redis, log }: Targets, downMs: number): Promise<void> {
  log('fault: Redis killed');
  await redis.kill();
  await sleep(downMs);
  await redis.start();
  log('fault: Redis back (empty)');
}

async function restartPostgres({ postgres, log }: Targets, downMs: number): Promise<void> {
  log('fault: PostgreSQL fast shutdown');
  await postgres.stopFast();
  await sleep(downMs);
  await postgres.start();
  log('fault: PostgreSQL back');
}
