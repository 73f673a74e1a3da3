// An instance dies with SIGKILL in the middle of a conversation. Two server processes share one
// database and Redis prefix; the child is connected to A, the counsellor to B. A is killed while a
// message of the child is in flight; the child reconnects to B with its token and last seen seq,
// resends what was not acknowledged, and the conversation goes on. No acknowledged message is lost,
// none is stored or shown twice, and the sequence stays gapless.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, call, connected, createTestDatabase, deleteRedisPrefix, login, next, randomUUID, uid, widgetClient, type WidgetClient } from '../helpers.js';
import { spawnInstance, type InstanceProcess } from '../processes.js';
import { createStaffIn } from './support.js';
import { openDatabase, execRows, sql } from '../../src/db/client.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
const prefix = `t${uid()}`;
let a: InstanceProcess;
let b: InstanceProcess;

beforeAll(async () => {
  db = await createTestDatabase();
  const env = { AUTO_ACCEPT: 'true', DATABASE_POOL_SIZE: '4' };
  a = await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env });
  b = await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env });
}, 60_000);

afterAll(async () => {
  await a?.kill('SIGKILL');
  await b?.kill('SIGTERM');
  await db?.drop();
  await deleteRedisPrefix(prefix);
});

describe('an instance killed mid-conversation', () => {
  it('loses no acknowledged message and shows none twice after the child moves to the survivor', async () => {
    const staff = await createStaffIn(db.url, 'counsellor', { name: 'Ana' });
    const who = await login(b.url, staff.email, staff.password);
    const agent = agentClient(b.url, who);
    await connected(agent);
    await call(agent, 'agent:hello');
    expect(await call(agent, 'agent:status', { status: 'available' })).toMatchObject({ ok: true });

    const seenByAgent: { seq: number; clientMsgId: string }[] = [];
    agent.on('message:new', (m: any) => seenByAgent.push(m));

    let child: WidgetClient = widgetClient(a.url);
    await connected(child);
    // With auto-accept the counsellor's greeting can arrive before the start's ack: listen first.
    const joined = next(child, 'message:new', (m: any) => m.system?.event === 'counsellor_joined');
    const started = await call(child, 'conversation:start', { language: 'en' });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    const conversationId = started.data.conversation.id as string;
    const token = started.data.token as string;
    await joined;

    const acked = new Map<string, number>();
    for (let i = 0; i < 5; i++) {
      const clientMsgId = randomUUID();
      const r = await call(child, 'message:send', { conversationId, clientMsgId, body: `before ${i}` });
      expect(r.ok).toBe(true);
      if (r.ok) acked.set(clientMsgId, r.data.seq);
      const reply = await call(agent, 'message:send', { conversationId, clientMsgId: randomUUID(), body: `reply ${i}` });
      expect(reply.ok).toBe(true);
    }
    const lastSeen = Math.max(...acked.values());

    // Fire a few messages without waiting and kill A at once: their fate is unknown to the child.
    const inFlight = Array.from({ length: 3 }, (_, i) => ({ clientMsgId: randomUUID(), body: `in flight ${i}` }));
    for (const m of inFlight) (child as any).emit('message:send', { conversationId, ...m });
    await a.kill('SIGKILL');
    child.disconnect();

    // The child comes back through B with its token and the last seq it saw.
    child = widgetClient(b.url, { token });
    await connected(child);
    const resumed = await call(child, 'conversation:resume', { afterSeq: 0 });
    expect(resumed.ok).toBe(true);
    if (!resumed.ok) return;
    expect(resumed.data.conversation.id).toBe(conversationId);
    const all = resumed.data.messages as { seq: number; clientMsgId: string }[];
    expect(all.map((m) => m.seq)).toEqual(all.map((_, i) => i + 1));
    for (const id of acked.keys()) expect(all.filter((m) => m.clientMsgId === id)).toHaveLength(1);
    const rest = await call(child, 'conversation:resume', { afterSeq: lastSeen });
    expect(rest.ok && rest.data.messages.every((m: any) => m.seq > lastSeen)).toBe(true);

    // What was not acknowledged is sent again with the same ids: stored once, whatever A managed to do.
    for (const m of inFlight) {
      const r = await call(child, 'message:send', { conversationId, ...m });
      expect(r).toMatchObject({ ok: true });
    }
    // Listening before sending: the delivery may reach the counsellor before the child's ack arrives.
    const delivered = next(agent, 'message:new', (m: any) => m.body === 'after the crash');
    const after = await call(child, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'after the crash' });
    expect(after.ok).toBe(true);
    const atAgent = await delivered;
    expect(atAgent.conversationId).toBe(conversationId);

    const database = await openDatabase({ url: db.url, poolSize: 1 });
    try {
      const rows = await execRows<{ seq: number; client_msg_id: string }>(database.db, sql`select seq, client_msg_id from messages where conversation_id = ${conversationId} order by seq`);
      expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
      expect(new Set(rows.map((r) => r.client_msg_id)).size).toBe(rows.length);
      for (const m of inFlight) expect(rows.filter((r) => r.client_msg_id === m.clientMsgId)).toHaveLength(1);
      for (const id of acked.keys()) expect(rows.some((r) => r.client_msg_id === id)).toBe(true);
    } finally {
      await database.close();
    }
    // The counsellor never saw one message twice.
    const seqs = seenByAgent.map((m) => m.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    child.disconnect();
    agent.disconnect();
  }, 60_000);
});
