import { runBuilt } from '../support/spawn.js';

/** The fatal line main.ts writes before exiting; JSON, like every other log line. */
function fatalMessage(stderr: string): string {
  const line = stderr.split('\n').find((text) => text.includes('"fatal"'));
  if (!line) throw new Error(`no fatal line in:\n${stderr}`);

  return (JSON.parse(line) as { msg: string }).msg;
}

function startService(env: Record<string, string | undefined>) {
  return runBuilt('dist/src/main.js', [], { PORT: '0', ...env }, 30_000);
}

const STRONG_KEY = 'Zq7-pX2m_Lr9tVw4Kc8sNd5B';
const UNREACHABLE_DATABASE = 'postgres://postgres@127.0.0.1:1/none';

describe('startup refusals', () => {
  it.each([
    ['RATE_LIMIT_USER', 'abc', 'RATE_LIMIT_USER="abc" is invalid: expected limit/window'],
    ['PORT', 'abc', 'PORT="abc" is invalid: expected a whole number from 0 to 65535'],
    ['PROCESSOR_FAILURE_RATE', '2', 'PROCESSOR_FAILURE_RATE="2" is invalid: expected a number'],
    ['TRUST_PROXY', 'proxy.local', 'TRUST_PROXY="proxy.local" is invalid: expected IP addresses'],
  ])('stops on %s=%s with a message naming it', async (variable, value, message) => {
    const result = await startService({ [variable]: value });

    expect(result.code).toBe(78);
    expect(fatalMessage(result.stderr)).toContain(message);
  });

  it('refuses production without API_KEYS and DATABASE_URL, naming both', async () => {
    const result = await startService({
      NODE_ENV: 'production',
      API_KEYS: undefined,
      DATABASE_URL: undefined,
    });

    const message = fatalMessage(result.stderr);
    expect(result.code).toBe(78);
    expect(message).toContain('production refuses to start');
    expect(message).toContain('API_KEYS must name at least one key');
    expect(message).toContain('DATABASE_URL must point at a PostgreSQL server');
  });

  it('refuses production with a weak key, without printing the key', async () => {
    const result = await startService({
      NODE_ENV: 'production',
      DATABASE_URL: UNREACHABLE_DATABASE,
      API_KEYS: 'acct-1:short-key-123456',
    });

    expect(result.code).toBe(78);
    expect(fatalMessage(result.stderr)).toContain('API_KEYS keys must be at least 24 characters');
    expect(result.stderr + result.stdout).not.toContain('short-key-123456');
  });

  it('refuses production with simulation switched on', async () => {
    const result = await startService({
      NODE_ENV: 'production',
      DATABASE_URL: UNREACHABLE_DATABASE,
      API_KEYS: `acct-1:${STRONG_KEY}`,
      ENABLE_SIMULATION: 'true',
    });

    expect(result.code).toBe(78);
    expect(fatalMessage(result.stderr)).toContain('ENABLE_SIMULATION must be off in production');
  });
});
