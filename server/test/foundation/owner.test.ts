// The embedded default's data folder has one owner. A second platform on the same folder stops with a
// message naming the running one; `pnpm cli` works while the platform runs by asking it, so an account
// added can log in at once and is still there after a restart, and one disabled loses its sessions and
// its live socket at once; with no platform running the CLI says so and touches nothing.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { agentClient, api, call, connected, freePort, login } from '../helpers.js';

const SERVER = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'hl-owner-'));
const running: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const c of running) if (c.exitCode === null) c.kill('SIGKILL');
  // The private redis-server of the platform this test killed is an orphan now.
  try {
    process.kill(Number(readFileSync(path.join(dataDir, 'redis', 'redis.pid'), 'utf8')), 'SIGKILL');
  } catch {
    /* none left */
  }
  rmSync(dataDir, { recursive: true, force: true });
});

const env = (port: number) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${port}`, DATA_DIR: dataDir, LOG_LEVEL: 'warn' });

/** Runs `src/main.ts`; resolves once it prints that it runs, or with its exit code and output. */
async function platform(port: number): Promise<{ child: ReturnType<typeof spawn>; out: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: SERVER, env: env(port), stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 60_000;
  while (!out.includes('Helpline platform running') && child.exitCode === null) {
    if (Date.now() > deadline) throw new Error(`not started: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, out: () => out, exited };
}

async function stop(p: { child: ReturnType<typeof spawn>; exited: Promise<number | null> }): Promise<number | null> {
  p.child.kill('SIGTERM');
  return p.exited;
}

/** `pnpm cli ...` with the same environment as the platform; never blocks this process. */
async function cli(args: string[], input = ''): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: SERVER, env: env(0) });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, out, err };
}

describe('the embedded data folder has one owner', () => {
  it('refuses a second platform, serves the CLI while it runs, and keeps what the CLI did across a restart', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const first = await platform(port);
    expect(first.out()).toContain('embedded PGlite');

    // A second platform on the same folder stops at once, naming the first and what to do.
    const second = await platform(await freePort());
    expect(await second.exited).toBe(2);
    expect(second.out()).toContain(`in use by the platform running as process ${first.child.pid}`);
    expect(second.out()).toContain('DATA_DIR');
    expect(second.out()).toContain('pnpm cli');
    expect((await fetch(`${url}/ready`)).status).toBe(200);

    // Accounts added through the CLI log in at once.
    const added = await cli(['user:add', '--email', 'Vesna@Centre.test', '--name', 'Vesna', '--role', 'counsellor'], 'vesna-long-password\n');
    expect(added.err).toBe('');
    expect(added.code).toBe(0);
    expect(added.out).toContain('Created counsellor vesna@centre.test');
    expect((await cli(['user:add', '--email', 'ivo@centre.test', '--name', 'Ivo', '--role', 'supervisor'], 'ivo-long-password')).code).toBe(0);
    const vesna = await login(url, 'vesna@centre.test', 'vesna-long-password');
    const list = await cli(['user:list']);
    expect(list.out).toMatch(/vesna@centre\.test\tcounsellor\tVesna\t.*\tactive/);
    expect(list.out).not.toContain('vesna-long-password');
    // A refusal of the platform comes back as a clear message.
    const dup = await cli(['user:add', '--email', 'vesna@centre.test', '--name', 'V', '--role', 'counsellor'], 'another-long-password');
    expect(dup.code).toBe(1);
    expect(dup.err).toContain('A user with this e-mail exists');

    // Disabling through the CLI ends the session and the live console socket at once.
    const sock = agentClient(url, vesna);
    await connected(sock);
    expect((await call(sock, 'agent:hello')).ok).toBe(true);
    const ended = new Promise<string>((resolve) => sock.once('session:ended', (p: { reason: string }) => resolve(p.reason)));
    const closed = new Promise<void>((resolve) => sock.once('disconnect', () => resolve()));
    const dis = await cli(['user:disable', '--email', 'vesna@centre.test']);
    expect(dis.err).toBe('');
    expect(dis.code).toBe(0);
    expect(await ended).toBe('revoked');
    await closed;
    expect((await api(url, vesna, 'GET', '/api/auth/me')).status).toBe(401);
    await expect(login(url, 'vesna@centre.test', 'vesna-long-password')).rejects.toThrow(/401/);

    // After a restart everything the CLI did is still there.
    expect(await stop(first)).toBe(0);
    expect(existsSync(path.join(dataDir, 'owner.json'))).toBe(false);
    const stopped = await cli(['user:list']);
    expect(stopped.code).toBe(1);
    expect(stopped.err).toContain('The platform is not running');
    const again = await platform(port);
    expect((await login(url, 'ivo@centre.test', 'ivo-long-password')).profile.role).toBe('supervisor');
    await expect(login(url, 'vesna@centre.test', 'vesna-long-password')).rejects.toThrow(/401/);
    expect((await cli(['user:list'])).out).toMatch(/vesna@centre\.test\tcounsellor\tVesna\t.*\tDISABLED/);

    // Killed, the owner frees the folder at once (a new start after a kill: embedded.test.ts); its
    // owner.json is left behind but names a socket nobody listens on.
    again.child.kill('SIGKILL');
    await again.exited;
    expect((await cli(['user:list'])).err).toContain('The platform is not running');
  }, 180_000);
});
