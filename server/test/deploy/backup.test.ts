// `pnpm cli backup` / `pnpm cli restore` on the embedded default. The platform runs on a data folder
// with an account, a chat with messages, a logged contact (case record) and a hotline report; the
// backup is made by the running platform over its channel, and again by the CLI itself (taking the
// folder's lock) once it has stopped. Restored into an empty data folder, every conversation, message,
// case record, report and account is there, row for row. A restore into a folder in use, or one that
// holds a database, is refused.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { claimDataDir } from '../../src/infra/data-dir.js';
import { api, call, connected, freePort, login, randomUUID, widgetClient } from '../helpers.js';
import { fileReport } from '../hotline/support.js';

const SERVER = fileURLToPath(new URL('../..', import.meta.url));
const root = mkdtempSync(path.join(tmpdir(), 'hl-backup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const source = path.join(root, 'source');
const restored = path.join(root, 'restored');

const env = (dataDir: string, port = 0) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', HOTLINE_POW_BITS: '0' });

function cli(args: string[], dataDir: string, input = '') {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: SERVER, input, encoding: 'utf8', env: env(dataDir) });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function startPlatform(dataDir: string) {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: SERVER, env: env(dataDir, port), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  for (const end = Date.now() + 60_000; ; ) {
    if (child.exitCode !== null) throw new Error(out);
    if (out.includes('Helpline platform running') && (await fetch(`${url}/ready`).then((r) => r.ok, () => false))) break;
    if (Date.now() > end) throw new Error(`not started: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    stop: () =>
      new Promise<number | null>((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}

const TABLES = ['staff_users', 'conversations', 'messages', 'case_records', 'hotline_reports', 'hotline_urls', 'audit_events'] as const;

/** Every row id of each table, read with the folder's lock held (nobody else may open it). */
async function idsIn(dataDir: string): Promise<Record<string, string[]>> {
  const owner = await claimDataDir(dataDir);
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(path.join(owner.dir, 'pglite'));
  try {
    const out: Record<string, string[]> = {};
    for (const t of TABLES) out[t] = (await db.query<{ id: string }>(`select id::text as id from ${t} order by id`)).rows.map((r) => r.id);
    return out;
  } finally {
    await db.close();
    await owner.release();
  }
}

describe('backup and restore of the embedded default', () => {
  it('restores every conversation, message, case record, report and account into an empty data folder', async () => {
    const platform = await startPlatform(source);
    expect(cli(['user:add', '--email', 'lina@centre.test', '--name', 'Lina', '--role', 'counsellor'], source, 'a-long-secret-password\n').code).toBe(0);
    const lina = await login(platform.url, 'lina@centre.test', 'a-long-secret-password');
    // A chat with messages, waiting for a counsellor.
    const child = widgetClient(platform.url);
    await connected(child);
    const started = await call(child, 'conversation:start', { language: 'en' });
    expect(started.ok).toBe(true);
    const conversationId = (started as { data: { conversation: { id: string } } }).data.conversation.id;
    for (const body of ['first', 'second']) expect((await call(child, 'message:send', { conversationId, clientMsgId: randomUUID(), body })).ok).toBe(true);
    child.disconnect();
    expect((await api(platform.url, lina, 'POST', '/api/contacts', { channel: 'phone', contactType: 'parent', categories: ['grooming'], summary: 'A worried parent', ageGroup: '5-11' })).status).toBeLessThan(300);
    expect((await fileReport(platform.url, { urls: ['https://bad.example/gallery/1'] })).status).toBeLessThan(300);

    // While it runs: made by the platform itself; a restore into its folder is refused.
    const live = path.join(root, 'live.tar.gz');
    const b1 = cli(['backup', live], source);
    expect(b1.err).toBe('');
    expect(b1.out).toContain('made by the running platform');
    const intoOwned = cli(['restore', live], source);
    expect(intoOwned.code).toBe(1);
    expect(intoOwned.err).toContain('is in use by the platform running as process');
    expect(await platform.stop()).toBe(0);

    // Stopped: the CLI takes the lock and reads the folder itself.
    const idle = path.join(root, 'idle.tar.gz');
    const b2 = cli(['backup', idle], source);
    expect(b2.out).toContain('made by the data folder');
    const want = await idsIn(source);
    for (const t of ['staff_users', 'conversations', 'messages', 'case_records', 'hotline_reports']) expect(want[t]!.length, t).toBeGreaterThan(0);
    expect(want.messages!.length).toBeGreaterThanOrEqual(2);

    // Restored into an empty folder, both backups hold it all (nothing was written after the live one
    // but the platform's own shutdown, which writes no row of these tables).
    for (const file of [live, idle]) {
      const dir = path.join(restored, path.basename(file));
      const r = cli(['restore', file], dir);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      const got = await idsIn(dir);
      for (const t of TABLES.filter((x) => x !== 'audit_events')) expect(got[t], `${t} from ${path.basename(file)}`).toEqual(want[t]);
    }
    // A folder that already holds a database is not overwritten.
    const again = cli(['restore', idle], path.join(restored, 'idle.tar.gz'));
    expect(again.code).toBe(1);
    expect(again.err).toContain('already holds a database');

    // The restored folder runs: Lina logs in there.
    const back = await startPlatform(path.join(restored, 'idle.tar.gz'));
    try {
      await login(back.url, 'lina@centre.test', 'a-long-secret-password');
    } finally {
      await back.stop();
    }
  }, 180_000);
});
