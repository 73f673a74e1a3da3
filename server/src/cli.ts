// Admin command line: `pnpm cli user:add --email E --name N --role R` (password from stdin),
// `pnpm cli user:disable --email E`, `pnpm cli user:list`. Uses the same configuration as the server.
import { parseArgs } from 'node:util';
import { STAFF_ROLES, type StaffRole } from '@helpline/shared';
import { loadConfig } from './config.js';
import { openDatabase } from './db/client.js';
import { createAuthService } from './auth/service.js';
import { createAuditService } from './audit/service.js';
import { AppError } from './http/errors.js';

const USAGE = `Usage:
  pnpm cli user:add --email E --name N --role counsellor|supervisor|analyst|admin [--languages bg,en] [--capacity 2]
      (the password is read from standard input)
  pnpm cli user:disable --email E
  pnpm cli user:list`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

async function main(): Promise<number> {
  const [command, ...rest] = process.argv.slice(2);
  const { values } = parseArgs({ args: rest, options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, languages: { type: 'string' }, capacity: { type: 'string' } }, allowPositionals: false });
  if (!command || !['user:add', 'user:disable', 'user:list'].includes(command)) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig();
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR, poolSize: 2 });
  const auth = createAuthService(database.db, { sessionTtlMs: config.SESSION_TTL_MS, defaultCapacity: config.DEFAULT_CAPACITY });
  const audit = createAuditService(database.db);
  try {
    if (command === 'user:list') {
      const users = await auth.listUsers();
      for (const u of users) console.log([u.email, u.role, u.name, u.languages.join(','), `capacity ${u.capacity}`, u.disabled ? 'DISABLED' : 'active'].join('\t'));
      if (!users.length) console.log('(no users)');
      return 0;
    }
    if (!values.email) throw new AppError('invalid_payload', '--email is required');
    if (command === 'user:disable') {
      await auth.disableUser(values.email);
      await audit.record({ actorType: 'system', action: 'staff.disable', targetType: 'staff', targetId: values.email, meta: { via: 'cli' } });
      console.log(`Disabled ${values.email}; its sessions are revoked.`);
      return 0;
    }
    if (!values.name || !values.role) throw new AppError('invalid_payload', '--name and --role are required');
    if (!STAFF_ROLES.includes(values.role as StaffRole)) throw new AppError('invalid_payload', `--role must be one of ${STAFF_ROLES.join(', ')}`);
    const password = await readStdin();
    const user = await auth.createUser({
      email: values.email,
      name: values.name,
      role: values.role as StaffRole,
      password,
      ...(values.languages ? { languages: values.languages.split(',') as never } : {}),
      ...(values.capacity ? { capacity: Number(values.capacity) } : {}),
    });
    await audit.record({ actorType: 'system', action: 'staff.create', targetType: 'staff', targetId: user.id, meta: { via: 'cli', role: user.role } });
    console.log(`Created ${user.role} ${user.email}`);
    return 0;
  } catch (err) {
    console.error(err instanceof AppError ? `Error: ${err.message}` : `Error: ${(err as Error).message}`);
    return 1;
  } finally {
    await database.close();
  }
}

main().then((code) => process.exit(code));
