import { parseArgs } from 'node:util';

import { ApiKeyEntity } from '../auth/api-key.entity.js';
import { ApiKeyService } from '../auth/api-key.service.js';
import type { ApiKeySummary } from '../auth/api-key.service.js';
import { parseDurationMs } from '../config/durations.js';
import { CliError, openCliDatabase, runCli } from './cli-database.js';

const USAGE = `Usage: npm run api-key -- <command> [options]

  create <account> [--label L] [--expires-in 90d]   issue a key; it is printed once
  list [account]                                   public ids and state, never secrets
  revoke <key id>                                  refuse the key from now on

Options: --json  machine-readable output

Rotation: create a new key, move clients to it, then revoke the old one; both work
in between. Uses DATABASE_URL, or the embedded database in DATA_DIR, which only one
process may open: stop the service before running this against DATA_DIR.`;

const ACCOUNT = /^[A-Za-z0-9._-]{1,64}$/;
const MIN_EXPIRY_MS = 60_000;

interface Options {
  label?: string;
  'expires-in'?: string;
  json?: boolean;
  help?: boolean;
}

function usageError(message: string): CliError {
  return new CliError(`${message}\n\n${USAGE}`, 2);
}

function readArguments(): { command: string; operands: string[]; options: Options } {
  try {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        label: { type: 'string' },
        'expires-in': { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    const [command = 'help', ...operands] = positionals;

    return { command, operands, options: values };
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

function expiryFrom(text: string | undefined): Date | null {
  if (text === undefined) return null;

  const ms = parseDurationMs(text);
  if (ms === null || ms < MIN_EXPIRY_MS) {
    throw usageError(`--expires-in=${JSON.stringify(text)}: expected a duration of 1m or more`);
  }

  return new Date(Date.now() + ms);
}

function stateOf(key: ApiKeySummary, now = Date.now()): string {
  if (key.revokedAt) return `revoked ${key.revokedAt.toISOString()}`;
  if (key.expiresAt && key.expiresAt.getTime() <= now) return 'expired';

  return 'active';
}

function formatTable(rows: string[][]): string {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));

  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function print(json: boolean, value: unknown, human: string): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
}

/** Opens the database only once the arguments are known to be good. */
async function withService<T>(work: (service: ApiKeyService) => Promise<T>): Promise<T> {
  const database = await openCliDatabase();
  try {
    const keys = database.dataSource.getRepository(ApiKeyEntity);
    return await work(new ApiKeyService(keys, database.config));
  } finally {
    await database.close();
  }
}

async function create(operands: string[], options: Options) {
  const [account, ...extra] = operands;
  if (account === undefined || extra.length > 0) throw usageError('create takes one account');
  if (!ACCOUNT.test(account)) {
    throw usageError(`account ${JSON.stringify(account)}: expected 1-64 of A-Z a-z 0-9 . _ -`);
  }
  if (options.label !== undefined && options.label.length > 100) {
    throw usageError('--label: at most 100 characters');
  }

  const expiresAt = expiryFrom(options['expires-in']);
  const created = await withService((service) =>
    service.create(account, options.label ?? null, expiresAt),
  );
  const expires = expiresAt ? expiresAt.toISOString() : 'never';
  print(
    options.json === true,
    {
      key_id: created.keyId,
      account,
      label: options.label ?? null,
      expires_at: expiresAt?.toISOString() ?? null,
      key: created.key,
    },
    `Created key ${created.keyId} for account ${account} (expires: ${expires}).\n` +
      `It is shown this once and cannot be recovered; store it now:\n\n${created.key}`,
  );
}

async function list(operands: string[], options: Options) {
  if (operands.length > 1) throw usageError('list takes at most one account');

  const keys = await withService((service) => service.list(operands[0]));
  const rows = keys.map((key) => ({
    key_id: key.keyId,
    account: key.accountId,
    label: key.label,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
    state: stateOf(key),
  }));
  const table = [
    ['KEY ID', 'ACCOUNT', 'LABEL', 'CREATED', 'EXPIRES', 'STATE'],
    ...rows.map((row) => [
      row.key_id,
      row.account,
      row.label ?? '-',
      row.created_at,
      row.expires_at ?? 'never',
      row.state,
    ]),
  ];
  print(options.json === true, rows, formatTable(table));
}

async function revoke(operands: string[], options: Options) {
  const [given, ...extra] = operands;
  if (given === undefined || extra.length > 0) throw usageError('revoke takes one key id');

  const keyId = given.replace(/^pk_/, '').replace(/_$/, '');
  const revoked = await withService((service) => service.revoke(keyId));
  if (!revoked) throw new CliError(`no active key with id ${keyId}`);

  print(options.json === true, { key_id: keyId, revoked: true }, `Revoked key ${keyId}.`);
}

const COMMANDS = { create, list, revoke };

await runCli('api-key', async () => {
  const { command, operands, options } = readArguments();
  if (options.help || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!Object.hasOwn(COMMANDS, command)) throw usageError(`unknown command ${command}`);

  await COMMANDS[command as keyof typeof COMMANDS](operands, options);
});
