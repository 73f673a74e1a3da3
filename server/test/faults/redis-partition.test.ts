// One instance loses Redis while the other keeps it. Two server processes share a database and a
// private redis-server, each through its own TCP proxy; A's proxy is cut for CUT_MS (every connection
// closed, new ones refused) and then restored. Three chats send steadily throughout: one wholly on B
// (child and Bo), one wholly on A (child and Cleo), one across (the child on A, Ana on B).
// Proven: B's chat goes on during the cut, delivered live both ways; A acknowledges only what it
// stored (Postgres is still there) and refuses nothing without a typed error; after the cut, what the
// cut instance and its sockets missed arrives by itself: every party holds every stored message from
// live deliveries alone (no resume needed), none twice on a socket (but for an append ioredis resent
// after the reset: traffic.ts), the chats on one instance in order; both counsellors keep their chats (the cut is shorter than DISCONNECT_GRACE_MS).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connected, createTestDatabase, next, uid, widgetClient, type AgentClient } from '../helpers.js';
import { spawnInstance, type InstanceProcess } from '../processes.js';
import { counsellorJoined, counsellorOnline, createStaffIn, privateRedis, queryDb, tcpProxy, type PrivateRedis, type TcpProxy } from './support.js';
import { expectConverged, MESSAGES_SQL, Party, Sender, settled, type StoredRow } from './traffic.js';

const CUT_MS = 12_000;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let redis: PrivateRedis;
let proxyA: TcpProxy;
let proxyB: TcpProxy;
let a: InstanceProcess;
let b: InstanceProcess;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await privateRedis();
  proxyA = await tcpProxy({ host: '127.0.0.1', port: redis.port });
  proxyB = await tcpProxy({ host: '127.0.0.1', port: redis.port });
  const prefix = `t${uid()}`;
  // The grace periods are longer than the cut, as in production (60 s and 120 s).
  const env = { AUTO_ACCEPT: 'true', DATABASE_POOL_SIZE: '4', MESSAGE_RATE_PER_10S: '1000', DISCONNECT_GRACE_MS: '30000', VISITOR_GRACE_MS: '30000' };
  a = await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env: { ...env, REDIS_URL: `redis://127.0.0.1:${proxyA.port}` } });
  b = await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env: { ...env, REDIS_URL: `redis://127.0.0.1:${proxyB.port}` } });
}, 60_000);

afterAll(async () => {
  await a?.kill('SIGKILL');
  await b?.kill('SIGKILL');
  await proxyA?.close();
  await proxyB?.close();
  await redis?.close();
  await db?.drop();
});

/** A child starts on `childUrl`; the only available counsellor takes it (auto-accept). */
async function chat(childUrl: string, counsellor: AgentClient, name: string) {
  const assigned = next(counsellor, 'conversation:assigned');
  const child = widgetClient(childUrl);
  await connected(child);
  const started = await call(child, 'conversation:start', { language: 'en' });
  if (!started.ok) throw new Error(`start refused: ${started.error.code}`);
  const id = started.data.conversation.id as string;
  expect((await assigned).id).toBe(id);
  await counsellorJoined(child, id, { name });
  return { child, id };
}

describe('one instance cut from Redis', () => {
  it('lets the other go on, and converges by itself after the cut', async () => {
    const [bo, ana, cleo] = [
      await createStaffIn(db.url, 'counsellor', { name: 'Bo', capacity: 1 }),
      await createStaffIn(db.url, 'counsellor', { name: 'Ana', capacity: 1 }),
      await createStaffIn(db.url, 'counsellor', { name: 'Cleo', capacity: 1 }),
    ];
    const boOnB = (await counsellorOnline(b.url, bo)).agent;
    const onB = await chat(b.url, boOnB, 'Bo');
    const anaOnB = (await counsellorOnline(b.url, ana)).agent;
    const across = await chat(a.url, anaOnB, 'Ana');
    const cleoOnA = (await counsellorOnline(a.url, cleo)).agent;
    const onA = await chat(a.url, cleoOnA, 'Cleo');

    const pairs = {
      b: [new Party('child on B', 'visitor', onB.id, onB.child), new Party('Bo on B', 'staff', onB.id, boOnB)],
      across: [new Party('child on A', 'visitor', across.id, across.child), new Party('Ana on B', 'staff', across.id, anaOnB)],
      a: [new Party('child 2 on A', 'visitor', onA.id, onA.child), new Party('Cleo on A', 'staff', onA.id, cleoOnA)],
    };
    const parties = Object.values(pairs).flat();
    for (const p of parties) await p.resume();
    const senders = parties.map((p) => new Sender(p, { everyMs: 40 }));
    for (const s of senders) while (s.party.acked.size < 5) await s.nextAck();

    proxyA.cut();
    const cutAt = Date.now();
    const before = new Map(parties.map((p) => [p, { acked: p.acked.size, live: p.live.flat().length }]));
    await new Promise((r) => setTimeout(r, CUT_MS));
    // B's chat went on, live both ways; A's sockets still had each other.
    for (const p of [...pairs.b, ...pairs.a]) {
      expect(p.acked.size - before.get(p)!.acked, `${p.name}: acknowledged during the cut`).toBeGreaterThan(20);
      expect(p.live.flat().length - before.get(p)!.live, `${p.name}: delivered live during the cut`).toBeGreaterThan(40);
    }
    for (const p of parties) for (const e of p.refused) expect(e.retryable).toBe(true);
    proxyA.restore();
    const healedAt = Date.now();

    for (const s of senders) while (s.party.acked.size < before.get(s.party)!.acked + 10) await s.nextAck();
    for (const s of senders) await s.stop();
    // Live deliveries alone, no resume: what was missed during the cut has arrived.
    for (const [name, pair] of Object.entries(pairs)) {
      const rows = await settled(() => queryDb<StoredRow>(db.url, MESSAGES_SQL, [pair[0]!.conversationId]), pair, 15_000);
      expectConverged(rows, pair, senders, { ordered: name !== 'across', appendResentByRedis: true });
    }
    expect(Date.now() - healedAt).toBeLessThan(30_000);
    expect(healedAt - cutAt).toBeGreaterThanOrEqual(CUT_MS);

    const convs = await queryDb<{ id: string; state: string; staff: string }>(
      db.url,
      'select c.id, c.state, s.name as staff from conversations c join staff_users s on s.id = c.assigned_staff_id',
    );
    expect(Object.fromEntries(convs.map((c) => [c.id, [c.state, c.staff]]))).toEqual({
      [onB.id]: ['active', 'Bo'],
      [across.id]: ['active', 'Ana'],
      [onA.id]: ['active', 'Cleo'],
    });
    for (const p of parties) p.socket.disconnect();
  }, 60_000);
});
