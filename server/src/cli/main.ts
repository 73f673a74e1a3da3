// Admin command line: `pnpm cli user:add --email E --name N --role R` (password from stdin),
// `pnpm cli user:disable --email E`, `pnpm cli user:list`. Uses the same configuration as the server.
// On the embedded default the running platform carries the command out (cli/channel-client.ts); on a
// real Postgres and Redis the CLI writes Postgres itself and tells the instances (cli/direct.ts).
import { parseArgs } from 'node:util';
import { LANGUAGES, STAFF_ROLES, type Language, type StaffRole } from '@helpline/shared';
import { ConfigError, loadConfig } from '../config.js';
import { AppError } from '../http/errors.js';
import { channelOps, PlatformNotRunningError } from './channel-client.js';
import { directOps } from './direct.js';
import { backupEmbedded, BackupError, restoreEmbedded } from './backup.js';
import { DataDirInUseError } from '../infra/data-dir.js';
import type { StaffOps } from './commands.js';

const USAGE = `Usage:
  pnpm cli user:add --email E --name N --role counsellor|supervisor|analyst|admin [--languages bg,en] [--capacity 2]
      (the password is read from standard input)
  pnpm cli user:disable --email E
  pnpm cli user:list
  pnpm cli backup FILE     (embedded default: the data folder's database, from the running platform or the idle folder)
  pnpm cli restore FILE    (embedded default: into an empty DATA_DIR that no platform uses)`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function describe(err: unknown): string {
  if (err instanceof AppError) {
    const fields = err.extra.fields?.map((f) => `${f.path || '(input)'}: ${f.message}`).join('; ');
    return `Error: ${err.message}${fields ? ` (${fields})` : ''}`;
  }
  return `Error: ${(err as Error).message}`;
}

async function backupCommand(command: 'backup' | 'restore', file: string | undefined): Promise<number> {
  if (!file) return (console.error(USAGE), 2);
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) return (console.error(err.message), 2);
    throw err;
  }
  if (config.DATABASE_URL) {
    console.error('Error: with DATABASE_URL the database is a real Postgres: back it up with pg_dump or WAL archiving (docs/deploy.md, "Backups")');
    return 2;
  }
  try {
    if (command === 'backup') {
      const via = await backupEmbedded(config.DATA_DIR, file);
      console.log(`Backup of ${config.DATA_DIR} written to ${file} (made by the ${via}). Keep DATA_DIR/secret apart from it.`);
    } else {
      await restoreEmbedded(config.DATA_DIR, file);
      console.log(`Restored ${file} into ${config.DATA_DIR}. Start the platform with DATA_DIR=${config.DATA_DIR} (and its secret file, if you kept one).`);
    }
    return 0;
  } catch (err) {
    if (err instanceof BackupError || err instanceof DataDirInUseError) return (console.error(`Error: ${err.message}`), 1);
    throw err;
  }
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'backup' || command === 'restore') return backupCommand(command, rest[0]);
  if (!command || !['user:add', 'user:disable', 'user:list'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, languages: { type: 'string' }, capacity: { type: 'string' } }, allowPositionals: false }).values;
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }

  // Checked here, before anything is sent, so the message names the option.
  let addInput: Parameters<StaffOps['add']>[0] | null = null;
  if (command !== 'user:list' && !values.email) {
    console.error('Error: --email is required');
    return 1;
  }
  if (command === 'user:add') {
    if (!values.name || !values.role) return (console.error('Error: --name and --role are required'), 1);
    if (!STAFF_ROLES.includes(values.role as StaffRole)) return (console.error(`Error: --role must be one of ${STAFF_ROLES.join(', ')}`), 1);
    const languages = values.languages?.split(',').map((l) => l.trim());
    if (languages?.some((l) => !LANGUAGES.includes(l as Language))) return (console.error(`Error: --languages must be among ${LANGUAGES.join(', ')}`), 1);
    const capacity = values.capacity === undefined ? undefined : Number(values.capacity);
    if (capacity !== undefined && !(Number.isInteger(capacity) && capacity >= 1 && capacity <= 20)) return (console.error('Error: --capacity must be a whole number from 1 to 20'), 1);
    const password = await readStdin();
    if (password.length < 10) return (console.error('Error: Password must have at least 10 characters'), 1);
    addInput = {
      email: values.email!,
      name: values.name,
      role: values.role as StaffRole,
      password,
      ...(languages ? { languages: languages as Language[] } : {}),
      ...(capacity !== undefined ? { capacity } : {}),
    };
  }

  let ops: StaffOps;
  try {
    ops =
      config.DATABASE_URL && config.REDIS_URL
        ? await directOps({ ...config, DATABASE_URL: config.DATABASE_URL, REDIS_URL: config.REDIS_URL }, (l) => console.error(l))
        : await channelOps(config.DATA_DIR);
  } catch (err) {
    console.error(err instanceof PlatformNotRunningError ? err.message : describe(err));
    return 1;
  }
  try {
    if (command === 'user:list') {
      const users = await ops.list();
      for (const u of users) console.log([u.email, u.role, u.name, u.languages.join(','), `capacity ${u.capacity}`, u.disabled ? 'DISABLED' : 'active'].join('\t'));
      if (!users.length) console.log('(no users)');
      return 0;
    }
    if (command === 'user:disable') {
      const u = await ops.disable(values.email!);
      console.log(`Disabled ${u.email}; its sessions are revoked and its open consoles signed out.`);
      return 0;
    }
    const user = await ops.add(addInput!);
    console.log(`Created ${user.role} ${user.email}`);
    return 0;
  } catch (err) {
    console.error(describe(err));
    return 1;
  } finally {
    await ops.close();
  }
}

main().then((code) => process.exit(code));
