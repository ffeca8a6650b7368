import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Operator tools some suites drive, by the path or name they are found at. */
export const TOOLS = {
  promtool: 'promtool',
  chromium: '/usr/bin/chromium',
} as const;

const inCi = process.env.CI === 'true';

function isInstalled(tool: keyof typeof TOOLS): boolean {
  const command = TOOLS[tool];
  if (command.startsWith('/')) return existsSync(command);

  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

/**
 * Like describeWithServer, for a program: runs the suite when the program is installed; says
 * plainly that it did not run otherwise; fails under CI=true, where .ci/run installs it.
 */
export function describeWithTool(tool: keyof typeof TOOLS, name: string, body: () => void): void {
  if (isInstalled(tool)) {
    describe(name, body);
    return;
  }

  if (inCi) {
    describe(name, () => {
      it(`needs ${TOOLS[tool]}`, () => {
        throw new Error(`${name}: ${TOOLS[tool]} is not installed, and CI=true requires it`);
      });
    });
    return;
  }

  process.stderr.write(`\n[not run] ${name}: ${TOOLS[tool]} is not installed\n`);
  describe.skip(`${name} (not run: ${TOOLS[tool]} is not installed)`, body);
}

export interface ToolRun {
  status: number | null;
  output: string;
}

/** Runs a program to completion (bounded in time), feeding `input` on stdin. */
export function runTool(
  command: string,
  args: string[],
  options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): ToolRun {
  const result = spawnSync(command, args, {
    input: options.input,
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: 60_000,
  });

  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}
