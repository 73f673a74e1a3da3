// An instance dies with SIGKILL while messages flow. Two server processes share one database and Redis
// prefix. Two chats run on instance A, both children and both counsellors (Ana, Cleo) connected to it,
// all four sending steadily; A is killed right after an acknowledgement, with other sends in flight.
// The children and Ana reconnect to B (token or session cookie), resume after the last seq they hold
// and resend what was not acknowledged with the same ids. Cleo never comes back.
// Proven: every acknowledged message is stored exactly once with the seq it was acknowledged with;
// each party ends up holding exactly the stored messages, none received twice on a socket unless it
// was resent, in seq order; Ana keeps her conversation (she was back within DISCONNECT_GRACE_MS);
// Cleo's is re-queued by B alone and taken over by Bo, and her child is told.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, call, connected, createTestDatabase, deleteRedisPrefix, login, next, uid, widgetClient, type AgentClient, type WidgetClient } from '../helpers.js';
import { spawnInstance, type InstanceProcess } from '../processes.js';
import { counsellorJoined, counsellorOnline, createStaffIn, queryDb } from './support.js';
import { expectConverged, MESSAGES_SQL, Party, Sender, settled, type StoredRow } from './traffic.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
const prefix = `t${uid()}`;
let a: InstanceProcess;
let b: InstanceProcess;
const GRACE_MS = 3_000;

beforeAll(async () => {
  db = await createTestDatabase();
  const env = { AUTO_ACCEPT: 'true', DATABASE_POOL_SIZE: '4', DISCONNECT_GRACE_MS: String(GRACE_MS), MESSAGE_RATE_PER_10S: '1000' };
  a = await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env });
  b = await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env });
}, 60_000);

afterAll(async () => {
  await a?.kill('SIGKILL');
  await b?.kill('SIGTERM');
  await db?.drop();
  await deleteRedisPrefix(prefix);
});

/** A child starts a chat on A; the only available counsellor there takes it (auto-accept). */
async function chatOnA(counsellor: AgentClient, name: string) {
  const assigned = next(counsellor, 'conversation:assigned');
  const child = widgetClient(a.url);
  await connected(child);
  const started = await call(child, 'conversation:start', { language: 'en' });
  if (!started.ok) throw new Error(`start refused: ${started.error.code}`);
  const conversationId = started.data.conversation.id as string;
  expect((await assigned).id).toBe(conversationId);
  await counsellorJoined(child, conversationId, { name });
  return { child, conversationId, token: started.data.token as string };
}

async function ackedAtLeast(senders: Sender[], n: number): Promise<void> {
  for (const s of senders) while (s.party.acked.size < n) await s.nextAck();
}

const stored = (conversationId: string) => () => queryDb<StoredRow>(db.url, MESSAGES_SQL, [conversationId]);

describe('an instance killed while messages flow', () => {
  it('loses no acknowledged message, shows none twice, and keeps or re-queues its counsellors’ chats', async () => {
    const [ana, cleo, bo] = [
      await createStaffIn(db.url, 'counsellor', { name: 'Ana', capacity: 1 }),
      await createStaffIn(db.url, 'counsellor', { name: 'Cleo', capacity: 1 }),
      await createStaffIn(db.url, 'counsellor', { name: 'Bo', capacity: 2 }),
    ];
    const anaOnA = await counsellorOnline(a.url, ana);
    const one = await chatOnA(anaOnA.agent, 'Ana');
    const cleoOnA = await counsellorOnline(a.url, cleo);
    const two = await chatOnA(cleoOnA.agent, 'Cleo');

    const child1 = new Party('child 1', 'visitor', one.conversationId, one.child);
    const anaP = new Party('Ana', 'staff', one.conversationId, anaOnA.agent);
    const child2 = new Party('child 2', 'visitor', two.conversationId, two.child);
    const cleoP = new Party('Cleo', 'staff', two.conversationId, cleoOnA.agent);
    for (const p of [child1, anaP, child2, cleoP]) await p.resume();
    const senders = [child1, anaP, child2, cleoP].map((p) => new Sender(p, { everyMs: 15, ackTimeoutMs: 2_000 }));
    await ackedAtLeast(senders, 10);

    // Right after an acknowledgement, with the other senders' messages in flight.
    await senders[2]!.nextAck();
    const ackedBeforeKill = senders.flatMap((s) => [...s.party.acked.values()]);
    await a.kill('SIGKILL');
    const killedAt = Date.now();

    // Ana and the children come back through B; Cleo does not.
    const reconnect = async (p: Party, socket: WidgetClient | AgentClient) => {
      p.use(socket);
      await connected(socket);
      if (p.kind === 'staff') {
        const hello = await call(socket, 'agent:hello');
        expect(hello.ok && hello.data.conversations.map((c: { id: string }) => c.id)).toEqual([p.conversationId]);
      }
      await p.resume();
    };
    const anaOnB = agentClient(b.url, anaOnA.who);
    await reconnect(anaP, anaOnB);
    expect(Date.now() - killedAt).toBeLessThan(GRACE_MS);
    await reconnect(child1, widgetClient(b.url, { token: one.token }));
    await reconnect(child2, widgetClient(b.url, { token: two.token }));
    await senders[3]!.abandon();

    // B notices Cleo is gone (no disconnect event came from A) and, after the grace, re-queues her
    // chat; Bo takes it over and the child is told.
    const boWho = await login(b.url, bo.email, bo.password);
    const boOnB = agentClient(b.url, boWho);
    await connected(boOnB);
    const assigned = next<{ id: string }>(boOnB, 'conversation:assigned', () => true, GRACE_MS + 10_000);
    expect(await call(boOnB, 'agent:status', { status: 'available' })).toMatchObject({ ok: true });
    expect((await assigned).id).toBe(two.conversationId);
    await counsellorJoined(child2.socket as WidgetClient, two.conversationId, { name: 'Bo' });
    const boP = new Party('Bo', 'staff', two.conversationId, boOnB);
    await boP.resume();
    const all = [...senders.slice(0, 3), new Sender(boP, { everyMs: 15 })];
    await ackedAtLeast(all, 25);
    for (const s of all) await s.stop();

    const rows1 = await settled(stored(one.conversationId), [child1, anaP]);
    expectConverged(rows1, [child1, anaP], all, { ordered: true });
    const rows2 = await settled(stored(two.conversationId), [child2, boP]);
    expectConverged(rows2, [child2, boP], all, { ordered: true });
    // Cleo's acknowledged messages are kept too, and everything acknowledged before the kill.
    const ids = new Set([...rows1, ...rows2].map((r) => r.id));
    for (const m of [...cleoP.acked.values(), ...ackedBeforeKill]) expect(ids.has(m.id), `${m.body} lost`).toBe(true);

    const convs = await queryDb<{ id: string; state: string; staff: string }>(
      db.url,
      'select c.id, c.state, s.name as staff from conversations c join staff_users s on s.id = c.assigned_staff_id where c.id = any($1)',
      [[one.conversationId, two.conversationId]],
    );
    expect(Object.fromEntries(convs.map((c) => [c.id, [c.state, c.staff]]))).toEqual({
      [one.conversationId]: ['active', 'Ana'],
      [two.conversationId]: ['active', 'Bo'],
    });
    const events = (p: Party) => [...p.transcript.values()].sort((x, y) => x.seq - y.seq).flatMap((m) => (m.system ? [m.system.event] : []));
    expect(events(child1)).toEqual(['counsellor_joined']);
    expect(events(child2)).toEqual(['counsellor_joined', 'counsellor_left', 'counsellor_changed']);
    for (const s of [child1.socket, child2.socket, anaOnB, boOnB]) s.disconnect();
  }, 60_000);
});
