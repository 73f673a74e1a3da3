// Group commit under concurrency: many sends at once (both sides, several conversations, resends of
// the same clientMsgId inside one batch, a sender who may not write, a closed conversation) end up
// as gapless sequences with one row per clientMsgId, and each refused send fails alone with its
// typed error while the rest of its batch commits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, startTestEnv, type TestEnv } from '../helpers.js';
import { conversations, visitors } from '../../src/conversations/tables.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('group commit', () => {
  it('keeps every invariant when hundreds of sends share batches', async () => {
    const staff = await createStaff(env.app, 'counsellor');
    const db = env.app.db;
    const vs = await db.insert(visitors).values([{ tokenHash: `a-${Date.now()}` }, { tokenHash: `b-${Date.now()}` }, { tokenHash: `c-${Date.now()}` }]).returning();
    const convs = await db
      .insert(conversations)
      .values([
        { visitorId: vs[0]!.id, state: 'active', assignedStaffId: staff.profile.id },
        { visitorId: vs[1]!.id, state: 'active', assignedStaffId: staff.profile.id },
        { visitorId: vs[2]!.id, state: 'closed', assignedStaffId: staff.profile.id },
      ])
      .returning();
    const [a, b, closed] = convs as [(typeof convs)[number], (typeof convs)[number], (typeof convs)[number]];
    const counsellor = { type: 'staff' as const, staffId: staff.profile.id, name: 'C' };
    const sends: Promise<unknown>[] = [];
    const expectOk: string[] = [];
    for (let i = 0; i < 150; i++) {
      for (const c of [a, b]) {
        const id = `${c.id.slice(0, 4)}-${i}`;
        expectOk.push(id);
        sends.push(env.app.conversations.send({ type: 'visitor', visitorId: c.visitorId! }, { conversationId: c.id, clientMsgId: `v-${id}`, body: `v ${i}` }));
        sends.push(env.app.conversations.send(counsellor, { conversationId: c.id, clientMsgId: `s-${id}`, body: `s ${i}` }));
        // the same message twice at once: one row, the same answer
        sends.push(env.app.conversations.send({ type: 'visitor', visitorId: c.visitorId! }, { conversationId: c.id, clientMsgId: `v-${id}`, body: `v ${i}` }));
      }
    }
    const refused = [
      env.app.conversations.send({ type: 'visitor', visitorId: vs[1]!.id }, { conversationId: a.id, clientMsgId: 'v-a-0', body: 'not mine' }),
      env.app.conversations.send({ type: 'visitor', visitorId: vs[2]!.id }, { conversationId: closed.id, clientMsgId: 'late', body: 'too late' }),
      env.app.conversations.send({ type: 'staff', staffId: '00000000-0000-4000-8000-000000000000', name: 'X' }, { conversationId: a.id, clientMsgId: 'intruder', body: 'x' }),
    ].map((p) => p.then(() => null, (e: { code?: string }) => e.code));
    const results = await Promise.allSettled(sends);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await Promise.all(refused)).toEqual(['forbidden', 'invalid_state', 'forbidden']);
    for (const c of [a, b]) {
      const history = await env.app.conversations.history(c.id, 0, 10_000);
      expect(history).toHaveLength(300);
      expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
      expect(new Set(history.map((m) => m.clientMsgId)).size).toBe(300);
      const row = await env.app.conversations.get(c.id);
      expect(row.lastSeq).toBe(300);
    }
    expect(await env.app.conversations.history(closed.id, 0)).toEqual([]);
  }, 60_000);
});
