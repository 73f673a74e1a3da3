// An upgrade as docs/deploy.md describes it, one instance at a time: the version before the latest
// migration (its commit checked out with git worktree) runs on a database it migrated itself, a child
// starts a chat on it; the current version starts beside it and applies the new migrations while the
// old one keeps serving; the chat goes on with the child and the counsellor on either version and on
// both at once; the old instance is stopped, started again (a rollback) and stopped, and the
// counsellor closes the case on the new one.
// Proven: the old version keeps working on the migrated schema (expand before contract, checked
// statically by migrations-expand.test.ts), every message reaches the other side once, and Postgres
// holds each exactly once. The counts are printed as one JSON line.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, Offer } from '@helpline/shared';
import { api, agentClient, call, connected, createTestDatabase, deleteRedisPrefix, eventually, login, uid, widgetClient, type AgentClient, type LoggedIn, type WidgetClient } from '../helpers.js';
import { spawnInstance, type InstanceProcess } from '../processes.js';
import { createStaffIn, queryDb } from '../faults/support.js';
import { Party } from '../faults/traffic.js';
import { checkOutPreviousVersion, type PreviousVersion } from './previous-version.js';

const ENV = { DISCONNECT_GRACE_MS: '15000', VISITOR_GRACE_MS: '15000', OFFER_TIMEOUT_MS: '8000' };

let previous: PreviousVersion;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
const redisPrefix = `hl:upg:${uid(4)}:`;
const instances: InstanceProcess[] = [];
const sockets: (WidgetClient | AgentClient)[] = [];

beforeAll(async () => {
  previous = checkOutPreviousVersion();
  db = await createTestDatabase();
}, 120_000);
afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all(instances.map((i) => i.kill('SIGTERM')));
  previous?.remove();
  await db?.drop();
  await deleteRedisPrefix(redisPrefix);
});

const applied = async () => (await queryDb<{ n: number }>(db.url, 'select count(*)::int as n from drizzle.__drizzle_migrations'))[0]!.n;

/** How many times `party` received the message live, over every socket it used. */
const liveCount = (party: Party, clientMsgId: string) => party.live.flat().filter((m) => m.clientMsgId === clientMsgId).length;

describe('an upgrade across the latest migration', () => {
  it('runs the previous version beside the current one on the migrated database while a chat goes on', async () => {
    expect(previous.newMigrations.length).toBeGreaterThan(0);
    const sent: { from: string; clientMsgId: string; onOld: boolean; toOld: boolean }[] = [];
    let conversationId = '';
    let child!: Party;
    let counsellor!: Party;
    const use = (party: Party, socket: WidgetClient | AgentClient) => {
      sockets.push(socket);
      party.use(socket);
    };
    const exchange = async (from: Party, to: Party, onOld: boolean, toOld: boolean) => {
      const clientMsgId = randomUUID();
      const ack = await call(from.socket, 'message:send', { conversationId, clientMsgId, body: `${from.name} ${sent.length}` });
      expect(ack, `${from.name}'s message ${sent.length}`).toMatchObject({ ok: true });
      sent.push({ from: from.name, clientMsgId, onOld, toOld });
      await eventually(async () => liveCount(to, clientMsgId) > 0, 10_000);
    };

    // 1. The previous version alone: it migrates an empty database to the schema it knows.
    const old = await spawnInstance({ databaseUrl: db.url, redisPrefix, env: ENV, serverDir: previous.serverDir });
    instances.push(old);
    expect(await applied()).toBe(previous.knownMigrations.length);

    // A child starts a chat on it; nobody is online yet, so the chat waits in the queue.
    const c1 = widgetClient(old.url);
    await connected(c1);
    const started = await call(c1, 'conversation:start', { language: 'en' });
    if (!started.ok) throw new Error(`start refused: ${started.error.code}`);
    conversationId = started.data.conversation.id as string;
    const token = started.data.token as string;
    child = new Party('child', 'visitor', conversationId, c1);
    sockets.push(c1);
    const first = randomUUID();
    expect(await call(c1, 'message:send', { conversationId, clientMsgId: first, body: 'before the upgrade' })).toMatchObject({ ok: true });
    sent.push({ from: 'child', clientMsgId: first, onOld: true, toOld: true });

    // 2. The current version starts beside it and applies the new migrations while the old one serves.
    const current = await spawnInstance({ databaseUrl: db.url, redisPrefix, env: ENV });
    instances.push(current);
    expect(await applied()).toBe(previous.knownMigrations.length + previous.newMigrations.length);
    expect((await fetch(`${old.url}/ready`)).status).toBe(200);

    // 3. A counsellor on the old version takes the chat (offered by whichever instance dispatched it).
    const staff = await createStaffIn(db.url, 'counsellor', { name: 'Upgrade Counsellor' });
    const who: LoggedIn = await login(old.url, staff.email, staff.password);
    const a1 = agentClient(old.url, who);
    const offer = new Promise<Offer>((resolve) => a1.on('offer:new', (o) => resolve(o)));
    await connected(a1);
    expect(await call(a1, 'agent:hello')).toMatchObject({ ok: true });
    expect(await call(a1, 'agent:status', { status: 'available' }), 'the previous version sets her available on the migrated schema').toMatchObject({ ok: true });
    const o = await offer;
    expect(o.conversation.id).toBe(conversationId);
    const accepted = await call(a1, 'offer:accept', { offerId: o.offerId });
    if (!accepted.ok) throw new Error(`accept refused: ${accepted.error.code}`);
    // The child's first message, sent before anyone was there, is in the history she accepted.
    expect((accepted.data.messages as ChatMessage[]).filter((m) => m.clientMsgId === first)).toHaveLength(1);
    counsellor = new Party('counsellor', 'staff', conversationId, a1);
    sockets.push(a1);

    // Both on the old version, with the current one running.
    await exchange(counsellor, child, true, true);
    await exchange(child, counsellor, true, true);

    // 4. The child is moved to the current version (its instance went first in the rolling upgrade).
    c1.close();
    const c2 = widgetClient(current.url, { token });
    use(child, c2);
    await connected(c2);
    const resumed = await call(c2, 'conversation:resume', { afterSeq: 0 });
    expect(resumed).toMatchObject({ ok: true, data: { conversation: { id: conversationId } } });
    await exchange(child, counsellor, false, true);
    await exchange(counsellor, child, true, false);

    // 5. The counsellor follows: on the current version her chat is still hers.
    a1.close();
    const a2 = agentClient(current.url, who);
    use(counsellor, a2);
    await connected(a2);
    const hello = await call(a2, 'agent:hello');
    expect(hello.ok && hello.data.conversations.map((c: { id: string }) => c.id)).toEqual([conversationId]);
    await exchange(counsellor, child, false, false);
    await exchange(child, counsellor, false, false);

    // 6. The old instance stops. A rollback starts it again on the migrated database: it applies
    // nothing, comes up and serves the child; then it stops for good.
    expect(await old.kill('SIGTERM')).toBe(0);
    await exchange(child, counsellor, false, false);
    const rolledBack = await spawnInstance({ databaseUrl: db.url, redisPrefix, env: ENV, serverDir: previous.serverDir });
    instances.push(rolledBack);
    c2.close();
    const c3 = widgetClient(rolledBack.url, { token });
    use(child, c3);
    await connected(c3);
    expect(await call(c3, 'conversation:resume', { afterSeq: 0 })).toMatchObject({ ok: true, data: { conversation: { id: conversationId } } });
    await exchange(child, counsellor, true, false);
    await exchange(counsellor, child, false, true);
    expect(await rolledBack.kill('SIGTERM')).toBe(0);
    c3.close();
    const c4 = widgetClient(current.url, { token });
    use(child, c4);
    await connected(c4);
    expect(await call(c4, 'conversation:resume', { afterSeq: 0 })).toMatchObject({ ok: true });
    await exchange(child, counsellor, false, false);

    // The counsellor closes the case on the current version.
    const closed = await api(current.url, who, 'POST', `/api/conversations/${conversationId}/close`, { contactType: 'child', categories: ['cyberbullying'], summary: 'across an upgrade' });
    expect(closed.status).toBe(200);

    // Every message reached the other side once, and Postgres holds each exactly once.
    // Each live once to the other side; the first, sent before anyone was there, came with the accept.
    for (const m of sent.filter((m) => m.clientMsgId !== first)) expect(liveCount(m.from === 'child' ? counsellor : child, m.clientMsgId), `${m.from} ${m.clientMsgId}`).toBe(1);
    const rows = await queryDb<{ client_msg_id: string; seq: number }>(db.url, 'select client_msg_id, seq::int as seq from messages where conversation_id = $1 and system_event is null order by seq', [conversationId]);
    expect(rows.map((r) => r.client_msg_id).sort()).toEqual(sent.map((m) => m.clientMsgId).sort());
    const cases = await queryDb<{ n: number }>(db.url, 'select count(*)::int as n from case_records where conversation_id = $1', [conversationId]);
    expect(cases[0]!.n).toBe(1);
    console.log(
      JSON.stringify({
        test: 'upgrade',
        previous: previous.commit.slice(0, 7),
        newMigrations: previous.newMigrations,
        sent: sent.length,
        acrossVersions: sent.filter((m) => m.onOld !== m.toOld).length,
        stored: rows.length,
        delivered_twice: sent.filter((m) => liveCount(m.from === 'child' ? counsellor : child, m.clientMsgId) > 1).length,
      }),
    );
  }, 180_000);
});
