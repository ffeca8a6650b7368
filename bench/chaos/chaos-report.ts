import { seconds } from '../harness/cli-options.js';
import type { LedgerReport } from '../harness/ledger-check.js';
import type { Check } from '../load/load-report.js';
import type { ChaosOptions } from './chaos-options.js';
import type { FaultCounts } from './fault-schedule.js';
import type { PaymentDriver } from './payment-driver.js';

export interface ChaosFacts {
  options: ChaosOptions;
  /** Instances that exited without being killed by the run. */
  unexpectedExits: string[];
  driver: PaymentDriver;
  faults: FaultCounts;
  ledger: LedgerReport;
  /** Payments still pending after the settling wait. */
  settleSeconds: number;
  ports: { postgres: number; redis: number; instances: number[] };
}

/** Retries that met a 5xx other than the documented 503s. */
function undocumented5xx(driver: PaymentDriver): [string, number][] {
  return driver.retries
    .entries()
    .filter(
      ([label]) => /^5\d\d /.test(label) && !/^503 (service|processor)_unavailable$/.test(label),
    );
}

export function chaosChecks({ driver, faults, ledger, unexpectedExits }: ChaosFacts): Check[] {
  const hung = driver.outcomes.get('hung');
  const gaveUp = driver.outcomes.get('gave_up');
  const bad5xx = undocumented5xx(driver);
  const slowest = seconds(driver.callDurations.max());
  const endings = driver.endings.length > 0 ? `: ${driver.endings.slice(0, 5).join('; ')}` : '';

  return [
    {
      name: 'every acknowledged payment stored exactly once; no key charged twice',
      ok: ledger.violations.length === 0,
      detail:
        ledger.violations.length === 0
          ? `${ledger.acknowledged} acknowledged (201 or 402), ${ledger.payments} payments, ` +
            `${ledger.charges} charges; ledger, idempotency records and audit agree`
          : ledger.violations.join('\n      '),
    },
    {
      name: 'no call hung (each ended within its deadline)',
      ok: hung === 0,
      detail: `hung ${hung}; slowest call ${slowest}${hung > 0 ? endings : ''}`,
    },
    {
      name: 'every logical payment reached a final answer (201 or 402)',
      ok: gaveUp === 0,
      detail: `gave up ${gaveUp}${gaveUp > 0 ? endings : ''}`,
    },
    {
      name: 'no 5xx other than documented 503s',
      ok: bad5xx.length === 0,
      detail:
        bad5xx.length === 0
          ? 'none'
          : bad5xx.map(([label, count]) => `${label}: ${count}`).join(', '),
    },
    {
      name: 'no instance died except when the run killed it',
      ok: unexpectedExits.length === 0,
      detail: unexpectedExits.length === 0 ? 'none' : unexpectedExits.join('; '),
    },
    {
      name: 'every fault exercised',
      ok: faults.instanceKills > 0 && faults.redisRestarts > 0 && faults.postgresRestarts > 0,
      detail:
        `${faults.instanceKills} instance kills, ${faults.redisRestarts} Redis restart(s), ` +
        `${faults.postgresRestarts} PostgreSQL restart(s)`,
    },
  ];
}

export function chaosProgress(driver: PaymentDriver, faults: () => string, up: () => number) {
  return () =>
    `payments ${driver.outcomes.total()} (${driver.outcomes}) | in flight ${driver.inFlight} | ` +
    `retries ${driver.retries.total()} | instances up ${up()} | ${faults()}`;
}

export function chaosSummary(facts: ChaosFacts, checks: Check[]): string {
  const { options, driver, faults, ledger, ports } = facts;
  const callSeconds = (p: number) => seconds(driver.callDurations.percentile(p));
  const statuses = Object.entries(ledger.byStatus)
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
  const lines = [
    '',
    `Chaos: ${seconds(options.durationMs)}, ${options.instances} instances ` +
      `(:${ports.instances.join(', :')}), ${options.concurrency} payments in flight, ` +
      `own PostgreSQL :${ports.postgres} and Redis :${ports.redis}`,
    `faults     ${faults.instanceKills} instance SIGKILLs and restarts, ` +
      `${faults.redisRestarts} Redis restart, ${faults.postgresRestarts} PostgreSQL restart`,
    `payments   ${driver.outcomes.total()} logical payments: ${driver.outcomes}; ` +
      `call p50 ${callSeconds(50)}, p99 ${callSeconds(99)}, max ${callSeconds(100)}`,
    `retries    ${driver.retries.total()}: ${driver.retries}`,
    `ledger     ${ledger.payments} payments (${statuses || 'none'}), ${ledger.charges} charges, ` +
      `${ledger.auditEntries} payment audit entries`,
    `pending    ${ledger.pendingWithCharge + ledger.pendingWithoutCharge} after ` +
      `${seconds(facts.settleSeconds * 1000)} of settling (with a charge ` +
      `${ledger.pendingWithCharge}, without ${ledger.pendingWithoutCharge}); ` +
      `unfinished keys ${ledger.unfinished}`,
    'invariants',
    ...checks.map(
      (check) => `  ${check.ok ? 'ok  ' : 'FAIL'} ${check.name}\n       ${check.detail}`,
    ),
    `result: ${checks.every((check) => check.ok) ? 'PASS' : 'FAIL'}`,
  ];

  return lines.join('\n');
}
