import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import request from 'supertest';

import { serverEnv } from '../support/env.js';
import { startInstance } from '../support/instance.js';
import type { Instance } from '../support/instance.js';
import { createTestDatabase } from '../support/test-database.js';
import type { TestDatabase } from '../support/test-database.js';
import { TOOLS, describeWithTool, runTool } from '../support/tools.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ALERTS = join(ROOT, 'deploy/prometheus/alerts.yml');
const ALERT_TESTS = join(ROOT, 'deploy/prometheus/alerts.test.yml');
const DASHBOARD = join(ROOT, 'deploy/grafana/payments-dashboard.json');
const ARTIFACTS = join(ROOT, 'artifacts');

/**
 * The routes of the contract (shared/API.md) that the OpenAPI document describes: all of them
 * but /docs and /docs-json, which serve the document itself.
 */
const CONTRACT_ROUTES = [
  'POST /api/v1/payments',
  'GET /api/v1/payments/{transaction_id}',
  'GET /api/v1/payments',
  'GET /api/v1/rate-limits',
  'GET /api/v1/retry-config',
  'GET /api/v1/audit-logs',
  'POST /api/v1/simulate-concurrent',
  'GET /health',
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
];
const PUBLIC_ROUTES = new Set([
  'GET /api/v1/retry-config',
  'GET /health',
  'GET /health/live',
  'GET /health/ready',
  'GET /metrics',
]);
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** Metric families of this service, to find the metric names a PromQL expression uses. */
const OWN_METRIC =
  /\b(?:payment|http_request|processor|audit|rate_limit|idempotent|concurrent)_\w+/g;

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}

type OpenApi = { paths: Record<string, Record<string, Operation>> };

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function operationsOf(document: OpenApi): [string, Operation][] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => HTTP_METHODS.includes(method))
      .map(([method, operation]): [string, Operation] => [
        `${method.toUpperCase()} ${path}`,
        operation,
      ]),
  );
}

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    panels: { targets?: { expr: string }[] }[];
  };

  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}

/** The `expr` of every rule in the alerts file, single-line or a `|` block. */
function alertExpressions(): string[] {
  const lines = readFileSync(ALERTS, 'utf8').split('\n');
  const expressions: string[] = [];
  lines.forEach((line, index) => {
    const match = /^(\s*)expr:\s*(.*)$/.exec(line);
    if (!match) return;
    if (match[2] !== '|') return void expressions.push(match[2]);

    const block = lines.slice(index + 1);
    const end = block.findIndex((next) => next.search(/\S/) <= match[1].length);
    expressions.push(block.slice(0, end < 0 ? block.length : end).join('\n'));
  });

  return expressions;
}

/** Grafana's variables replaced by values Prometheus itself accepts. */
function asPlainPromQl(expression: string): string {
  return expression.replaceAll('$__rate_interval', '5m').replaceAll('$instance', '.*');
}

describe('operator tools against a running instance', () => {
  let database: TestDatabase;
  let instance: Instance;

  beforeAll(async () => {
    database = await createTestDatabase();
    instance = await startInstance({ env: serverEnv(database), bootTimeoutMs: 50_000 });
    await request(instance.url)
      .post('/api/v1/payments')
      .set('Authorization', 'Bearer test-api-key')
      .set('Idempotency-Key', 'operator-tools-0000001')
      .send({ amount: 3, currency: 'GBP', payment_method: 'wallet' })
      .expect(201);
  });

  afterAll(async () => {
    await instance?.stop();
    await database?.drop();
  });

  describe('the served OpenAPI document', () => {
    let document: OpenApi;

    beforeAll(async () => {
      const response = await request(instance.url).get('/docs-json').expect(200);
      document = response.body as OpenApi;
    });

    it('describes exactly the routes of the contract', () => {
      const served = operationsOf(document).map(([route]) => route);

      expect([...served].sort()).toEqual([...CONTRACT_ROUTES].sort());
    });

    it('requires the API key on every /api/v1 route but retry-config, and says so', () => {
      for (const [route, operation] of operationsOf(document)) {
        const expected = PUBLIC_ROUTES.has(route) ? [] : [{ bearer: [] }];
        expect({ route, security: operation.security }).toEqual({ route, security: expected });
      }
    });

    it('documents the errors of authenticated routes as problem details', () => {
      const guarded = operationsOf(document).filter(([route]) => !PUBLIC_ROUTES.has(route));

      for (const [route, operation] of guarded) {
        const unauthorized = operation.responses['401']?.content ?? {};
        expect({ route, types: Object.keys(unauthorized) }).toEqual({
          route,
          types: ['application/problem+json'],
        });
      }
    });

    it('passes redocly lint', () => {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, 'openapi.json'), JSON.stringify(document, null, 2));

      const lint = runTool(
        join(ROOT, 'node_modules/.bin/redocly'),
        ['lint', 'artifacts/openapi.json', '--format=stylish'],
        {
          cwd: ROOT,
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        },
      );

      expect({ status: lint.status, output: lint.output }).toMatchObject({ status: 0 });
      expect(lint.output).toContain('Your API description is valid');
    });
  });

  describeWithTool('promtool', 'promtool on alerts, dashboard and a live scrape', () => {
    it('accepts the alert rules', () => {
      const check = runTool(TOOLS.promtool, ['check', 'rules', ALERTS]);

      expect(check.output).toMatch(/SUCCESS: \d+ rules found/);
      expect(check.status).toBe(0);
    });

    it('passes the alert rules’ unit tests', () => {
      const test = runTool(TOOLS.promtool, ['test', 'rules', ALERT_TESTS]);

      expect(test.output).toContain('SUCCESS');
      expect(test.status).toBe(0);
    });

    it('parses every dashboard query as PromQL', () => {
      const expressions = dashboardExpressions();
      const rules = expressions.map((expression, index) => ({
        record: `dashboard:query_${index}`,
        expr: asPlainPromQl(expression),
      }));
      const folder = mkdtempSync(join(tmpdir(), 'dashboard-rules-'));
      const file = join(folder, 'dashboard.rules.json');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));

      try {
        const check = runTool(TOOLS.promtool, ['check', 'rules', file]);
        expect(check.output).toContain(`SUCCESS: ${expressions.length} rules found`);
        expect(check.status).toBe(0);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });

    it('finds no problem in a live scrape, which has every metric the rules use', async () => {
      const scrape = (await request(instance.url).get('/metrics').expect(200)).text;
      const used = [...alertExpressions(), ...dashboardExpressions()]
        .flatMap((text) => text.match(OWN_METRIC) ?? [])
        .map((name) => name.replace(/_(bucket|count|sum)$/, ''));

      const check = runTool(TOOLS.promtool, ['check', 'metrics'], { input: scrape });

      expect({ status: check.status, output: check.output }).toEqual({ status: 0, output: '' });
      const ruleCount = /SUCCESS: (\d+) rules found/.exec(
        runTool(TOOLS.promtool, ['check', 'rules', ALERTS]).output,
      );
      expect(alertExpressions()).toHaveLength(Number(ruleCount?.[1]));
      for (const name of new Set(used)) expect(scrape).toContain(`# TYPE ${name} `);
    });
  });

  describeWithTool('chromium', 'Swagger UI in headless Chromium', () => {
    it('shows the payments operations, and leaves a screenshot in artifacts/', async () => {
      const browser = await chromium.launch({
        executablePath: TOOLS.chromium,
        args: CHROMIUM_FLAGS,
        timeout: 30_000,
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.goto(`${instance.url}/docs`, { timeout: 30_000 });
        await page.waitForSelector('.opblock', { timeout: 30_000 });
        const operations = await page.$$eval('.opblock', (blocks) =>
          blocks.map((block) => {
            const method = block.querySelector('.opblock-summary-method')?.textContent ?? '';
            const path = block.querySelector('.opblock-summary-path')?.getAttribute('data-path');
            return `${method} ${path ?? ''}`;
          }),
        );
        mkdirSync(ARTIFACTS, { recursive: true });
        await page.screenshot({ path: join(ARTIFACTS, 'swagger.png'), fullPage: true });

        expect(operations).toEqual(
          expect.arrayContaining([
            'POST /api/v1/payments',
            'GET /api/v1/payments',
            'GET /api/v1/payments/{transaction_id}',
          ]),
        );
        expect(readFileSync(join(ARTIFACTS, 'swagger.png')).subarray(1, 4).toString()).toBe('PNG');
      } finally {
        await browser.close();
      }
    });
  });
});
