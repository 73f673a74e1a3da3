// The admin command line against a real database.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers.js';

const SERVER = fileURLToPath(new URL('../..', import.meta.url));
let db: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

function cli(args: string[], input = '') {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: SERVER,
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', DATABASE_URL: db.url, REDIS_URL: 'redis://127.0.0.1:6379' },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('pnpm cli', () => {
  it('adds, lists and disables staff; the password comes from stdin', () => {
    const add = cli(['user:add', '--email', 'Mira@Centre.test', '--name', 'Mira', '--role', 'supervisor'], 'a-long-secret-password\n');
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    expect(add.out).toContain('Created supervisor mira@centre.test');
    const list = cli(['user:list']);
    expect(list.out).toMatch(/mira@centre\.test\tsupervisor\tMira/);
    expect(list.out).not.toContain('a-long-secret-password');
    const dis = cli(['user:disable', '--email', 'mira@centre.test']);
    expect(dis.code).toBe(0);
    expect(cli(['user:list']).out).toContain('DISABLED');
  }, 60_000);

  it('refuses bad input with a clear message', () => {
    expect(cli(['user:add', '--email', 'x@y.z', '--name', 'X', '--role', 'king'], 'a-long-secret-password').err).toContain('--role must be one of');
    expect(cli(['user:add', '--email', 'x@y.z', '--name', 'X', '--role', 'admin'], 'short').err).toContain('at least 10 characters');
    expect(cli(['nope']).code).toBe(2);
  }, 60_000);
});
