// A staff socket lives exactly as long as its session, on every instance: it is ended at the session's
// expiry, at a logout elsewhere, when an admin (console or `pnpm cli`) disables the account, and, should
// the revocation's broadcast never arrive, at the next session check against Postgres.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import {
  agentClient,
  api,
  call,
  connected,
  createStaff,
  createTestDatabase,
  deleteRedisPrefix,
  login,
  startInstance,
  TEST_REDIS_URL,
  uid,
  type AgentClient,
  type TestServer,
} from '../helpers.js';

const SERVER = fileURLToPath(new URL('../..', import.meta.url));

interface Cluster {
  a: TestServer;
  b: TestServer;
  databaseUrl: string;
  prefix: string;
  close(): Promise<void>;
}

/** Two instances on one database and Redis prefix. */
async function cluster(env: Record<string, string>): Promise<Cluster> {
  const db = await createTestDatabase();
  const prefix = `t${uid()}`;
  const a = await startInstance({ databaseUrl: db.url, redisPrefix: prefix, env });
  const b = await startInstance({ databaseUrl: db.url, redisPrefix: prefix, env });
  return {
    a,
    b,
    databaseUrl: db.url,
    prefix,
    close: async () => {
      await Promise.all([a.close(), b.close()]);
      await db.drop();
      await deleteRedisPrefix(prefix);
    },
  };
}

/** Resolves with the reason once the server ends the socket, or 'still open' after `ms`. */
function endedWithin(s: AgentClient, ms: number): Promise<string> {
  return new Promise((resolve) => {
    let reason = 'no session:ended before the disconnect';
    const t = setTimeout(() => resolve('still open'), ms);
    s.once('session:ended', (p: { reason: string }) => (reason = p.reason));
    s.once('disconnect', () => {
      clearTimeout(t);
      resolve(reason);
    });
  });
}

async function open(url: string, who: Awaited<ReturnType<typeof login>>): Promise<AgentClient> {
  const s = agentClient(url, who);
  await connected(s);
  expect((await call(s, 'agent:hello')).ok).toBe(true);
  return s;
}

describe('a staff socket at its session expiry', () => {
  let c: Cluster;
  beforeAll(async () => {
    // Sessions of 3 s; the backstop check far away, so only the expiry timer can end the socket.
    c = await cluster({ SESSION_TTL_MS: '3000', SESSION_RECHECK_MS: '600000' });
  });
  afterAll(async () => c?.close());

  it('is ended with reason "expired", on another instance than the login, and cannot read afterwards', async () => {
    const s = await createStaff(c.a.app, 'counsellor');
    const who = await login(c.a.url, s.email, s.password);
    const sock = await open(c.b.url, who);
    const ended = endedWithin(sock, 8_000);
    expect(await ended).toBe('expired');
    expect(sock.connected).toBe(false);
    // Reconnecting with the expired cookie is refused at the handshake.
    const again = agentClient(c.b.url, who);
    const err = await new Promise<Error>((resolve) => again.once('connect_error', resolve));
    expect(err.message).toBe('unauthorized');
    again.disconnect();
  });
});

describe('a revoked session on several instances', () => {
  let c: Cluster;
  let sql: postgres.Sql;
  beforeAll(async () => {
    c = await cluster({ SESSION_RECHECK_MS: '600000' });
    sql = postgres(c.databaseUrl, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await c?.close();
  });

  it('a logout on one instance ends that session\'s sockets on both, and only that session\'s', async () => {
    const s = await createStaff(c.a.app, 'counsellor');
    const first = await login(c.a.url, s.email, s.password);
    const second = await login(c.a.url, s.email, s.password);
    const onA = await open(c.a.url, first);
    const onB = await open(c.b.url, first);
    const other = await open(c.b.url, second);
    const endA = endedWithin(onA, 5_000);
    const endB = endedWithin(onB, 5_000);
    const endOther = endedWithin(other, 1_500);
    expect((await api(c.a.url, first, 'POST', '/api/auth/logout', {})).status).toBe(200);
    expect(await endA).toBe('revoked');
    expect(await endB).toBe('revoked');
    expect(await endOther).toBe('still open');
    expect((await call(other, 'agent:hello')).ok).toBe(true);
    other.disconnect();
  });

  it('an admin disabling an account in the console ends its sockets on both instances at once', async () => {
    const admin = await createStaff(c.a.app, 'admin');
    const adminWho = await login(c.a.url, admin.email, admin.password);
    const s = await createStaff(c.a.app, 'counsellor');
    const who = await login(c.b.url, s.email, s.password);
    const onA = await open(c.a.url, who);
    const onB = await open(c.b.url, who);
    const endA = endedWithin(onA, 5_000);
    const endB = endedWithin(onB, 5_000);
    expect((await api(c.a.url, adminWho, 'PATCH', `/api/admin/staff/${s.profile.id}`, { disabled: true })).status).toBe(200);
    expect(await endA).toBe('revoked');
    expect(await endB).toBe('revoked');
    expect((await api(c.b.url, who, 'GET', '/api/auth/me')).status).toBe(401);
  });

  it('`pnpm cli user:disable` on the real Postgres ends the sockets on both instances at once', async () => {
    const s = await createStaff(c.a.app, 'counsellor');
    const who = await login(c.a.url, s.email, s.password);
    const onA = await open(c.a.url, who);
    const onB = await open(c.b.url, who);
    // Not spawnSync: both instances run in this process and must go on meanwhile.
    const cli = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'user:disable', '--email', s.email], {
      cwd: SERVER,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: c.databaseUrl, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: c.prefix },
    });
    let stderr = '';
    cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const endA = endedWithin(onA, 30_000);
    const endB = endedWithin(onB, 30_000);
    const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Ended by the CLI's announcement (the session check is 10 minutes away), before the CLI exits.
    expect(await Promise.race([endA, 'still open'])).toBe('revoked');
    expect(await Promise.race([endB, 'still open'])).toBe('revoked');
    expect((await api(c.a.url, who, 'GET', '/api/auth/me')).status).toBe(401);
  }, 60_000);

  it('a revocation nobody announced is found by the session check against Postgres', async () => {
    const s = await createStaff(c.a.app, 'counsellor');
    const who = await login(c.a.url, s.email, s.password);
    const sock = await open(c.b.url, who);
    // Written straight into the record, as by a tool that could not reach Redis: no broadcast.
    await sql`update staff_sessions set revoked_at = now() where staff_id = ${s.profile.id}`;
    const ended = endedWithin(sock, 2_000);
    expect(await ended).toBe('still open'); // this instance checks only every 10 minutes
    const ending = endedWithin(sock, 5_000);
    await c.b.app.sessionWatch.recheck();
    expect(await ending).toBe('revoked');
  });
});

describe('the session check runs by itself', () => {
  let c: Cluster;
  let sql: postgres.Sql;
  beforeAll(async () => {
    c = await cluster({ SESSION_RECHECK_MS: '300' });
    sql = postgres(c.databaseUrl, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await sql?.end();
    await c?.close();
  });

  it('every SESSION_RECHECK_MS', async () => {
    const s = await createStaff(c.a.app, 'supervisor');
    const who = await login(c.a.url, s.email, s.password);
    const sock = await open(c.b.url, who);
    const ended = endedWithin(sock, 5_000);
    await sql`update staff_users set disabled_at = now() where id = ${s.profile.id}`;
    expect(await ended).toBe('revoked');
  });
});
