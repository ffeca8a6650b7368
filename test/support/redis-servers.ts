import { execFile, spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Whether `redis-server` and `redis-cli` can be started here. */
export const REDIS_BINARIES =
  spawnSync('redis-server', ['--version']).status === 0 &&
  spawnSync('redis-cli', ['--version']).status === 0;

/**
 * Like describeWithServer, for suites that start Redis servers of their own: runs when the
 * binaries exist, says plainly it did not run otherwise, and fails under CI=true.
 */
export function describeWithRedisBinaries(name: string, body: () => void): void {
  if (REDIS_BINARIES) {
    describe(name, body);
    return;
  }
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs redis-server and redis-cli', () => {
        throw new Error(`${name}: redis-server is not installed, and CI=true requires it`);
      });
    });
    return;
  }

  process.stderr.write(`\n[not run] ${name}: redis-server is not installed\n`);
  describe.skip(`${name} (not run: redis-server is not installed)`, body);
}

export interface RedisServer {
  port: number;
  url: string;
  /** Kills the server abruptly (SIGKILL), as a crash would, and removes its files. */
  stop(): Promise<void>;
}

function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(what: string, condition: () => Promise<boolean>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((done) => setTimeout(done, 50));
  }

  throw new Error(`timed out waiting for ${what}`);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();

  return new Promise((done) => child.once('exit', () => done()));
}

/** Starts a private, non-persistent redis-server on 127.0.0.1:`port`. */
export async function startRedisServer(
  port: number,
  extraArgs: string[] = [],
): Promise<RedisServer> {
  if (await portAnswers(port)) throw new Error(`port ${port} is already in use`);

  const dir = mkdtempSync(join(tmpdir(), `redis-${port}-`));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', [...args, '--dir', dir, ...extraArgs], { stdio: 'ignore' });
  await waitFor(`redis-server on ${port}`, async () => {
    if (child.exitCode !== null) throw new Error(`redis-server on ${port} exited`);
    return portAnswers(port);
  });

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop: async () => {
      child.kill('SIGKILL');
      await exited(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisCluster {
  nodes: { host: string; port: number }[];
  stop(): Promise<void>;
}

async function clusterIsOk(port: number): Promise<boolean> {
  const { stdout } = await run('redis-cli', ['-p', String(port), 'cluster', 'info']);

  return stdout.includes('cluster_state:ok');
}

/** Starts one redis-server per port and joins them as a cluster of masters, no replicas. */
export async function startRedisCluster(ports: number[]): Promise<RedisCluster> {
  const clusterArgs = (port: number) => [
    '--cluster-enabled',
    'yes',
    '--cluster-config-file',
    `nodes-${port}.conf`,
    '--cluster-node-timeout',
    '2000',
  ];
  const servers = await Promise.all(ports.map((port) => startRedisServer(port, clusterArgs(port))));
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
  };

  try {
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-yes']);
    for (const port of ports) await waitFor(`cluster on ${port}`, () => clusterIsOk(port));
  } catch (error) {
    await stop();
    throw error;
  }

  return { nodes: ports.map((port) => ({ host: '127.0.0.1', port })), stop };
}
