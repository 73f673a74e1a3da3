// Each helping hand of a supervisor, over real sockets: watch unseen, whisper, join, take over,
// reassign, change a counsellor's status and capacity, overflow a queue, switch to "leave a message".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, api, call, connected, createStaff, login, next, randomUUID, startTestEnv, widgetClient, type AgentClient, type TestEnv, type WidgetClient } from '../helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.close();
});

async function staffSocket(role: 'counsellor' | 'supervisor', name: string, opts: { languages?: string[] } = {}) {
  const s = await createStaff(env.app, role, { name, ...opts });
  const who = await login(env.url, s.email, s.password);
  const sock = agentClient(env.url, who);
  await connected(sock);
  await call(sock, 'agent:hello');
  return { ...s, who, sock };
}

/** A child in an active chat with `counsellor`. */
async function activeChat(counsellor: AgentClient, language = 'bg'): Promise<{ child: WidgetClient; conversationId: string }> {
  const child = widgetClient(env.url);
  await connected(child);
  const offerP = next(counsellor, 'offer:new');
  const s = await call(child, 'conversation:start', { language });
  if (!s.ok) throw new Error('start failed');
  const offer = await offerP;
  const acc = await call(counsellor, 'offer:accept', { offerId: offer.offerId });
  expect(acc.ok).toBe(true);
  return { child, conversationId: s.data.conversation.id };
}

/** Collects every event a socket receives, to prove that nothing reached it. */
function recorder(s: { onAny(fn: (event: string, ...args: unknown[]) => void): unknown }) {
  const events: { event: string; payload: any }[] = [];
  s.onAny((event, payload) => events.push({ event, payload }));
  return events;
}

describe('helping hands', () => {
  it('watches unseen, whispers to the counsellor only, joins openly and writes', async () => {
    const ana = await staffSocket('counsellor', 'Ana');
    await call(ana.sock, 'agent:status', { status: 'available' });
    const sup = await staffSocket('supervisor', 'Sara');
    const { child, conversationId } = await activeChat(ana.sock);
    const childEvents = recorder(child);
    const anaEvents = recorder(ana.sock);

    const watch = await call(sup.sock, 'supervise:watch', { conversationId });
    expect(watch).toMatchObject({ ok: true, data: { conversation: { id: conversationId, state: 'active' } } });
    // The view is in the audit log.
    const audited = await env.app.audit.search({ targetType: 'conversation', targetId: conversationId, action: 'transcript.watch' });
    expect(audited.map((a) => a.actorId)).toContain(sup.profile.id);

    // Messages reach the watcher live.
    const seen = next(sup.sock, 'message:new', (m: any) => m.body === 'I need help');
    await call(child, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'I need help' });
    await seen;

    // Whisper: the counsellor and watchers get it, the child nothing.
    const whisperAtAna = next(ana.sock, 'note:new', (n: any) => n.whisper === true);
    const w = await call(sup.sock, 'supervise:whisper', { conversationId, body: 'Ask about the school' });
    expect(w).toMatchObject({ ok: true, data: { body: 'Ask about the school', whisper: true, staffName: 'Sara' } });
    expect(await whisperAtAna).toMatchObject({ body: 'Ask about the school', conversationId });
    // After a reload the counsellor still sees it as a whisper.
    const reloaded = await api(env.url, ana.who, 'GET', `/api/conversations/${conversationId}/notes`);
    expect(reloaded.body.notes).toEqual([expect.objectContaining({ body: 'Ask about the school', whisper: true, staffName: 'Sara' })]);

    // Writing before joining is refused; joining tells the child.
    const early = await call(sup.sock, 'supervise:send', { conversationId, clientMsgId: randomUUID(), body: 'hello' });
    expect(early).toMatchObject({ ok: false, error: { code: 'invalid_state' } });
    const joinedAtChild = next(child, 'message:new', (m: any) => m.system?.event === 'supervisor_joined');
    const j = await call(sup.sock, 'supervise:join', { conversationId });
    expect(j.ok).toBe(true);
    expect((await joinedAtChild).system.params.name).toBe('Sara');
    const atChild = next(child, 'message:new', (m: any) => m.sender === 'counsellor' && m.senderName === 'Sara');
    const sent = await call(sup.sock, 'supervise:send', { conversationId, clientMsgId: randomUUID(), body: 'I am here too' });
    expect(sent.ok).toBe(true);
    expect((await atChild).body).toBe('I am here too');

    // Before the join, the child saw nothing of the supervisor; Ana was never told of the watch.
    const beforeJoin = childEvents.slice(0, childEvents.findIndex((e) => e.payload?.system?.event === 'supervisor_joined'));
    expect(JSON.stringify(beforeJoin)).not.toContain('Ask about the school');
    expect(JSON.stringify(childEvents)).not.toContain('whisper');
    expect(anaEvents.filter((e) => e.event === 'conversation:removed')).toHaveLength(0);

    const un = await call(sup.sock, 'supervise:unwatch', { conversationId });
    expect(un.ok).toBe(true);
    for (const s of [ana.sock, sup.sock, child]) s.disconnect();
  });

  it('takes a conversation over and reassigns another to a second counsellor', async () => {
    const ana = await staffSocket('counsellor', 'Ana2');
    await call(ana.sock, 'agent:status', { status: 'available' });
    // Sam never set a status: taking over makes him reachable ('away') for this conversation only.
    const sup = await staffSocket('supervisor', 'Sam');
    const { child, conversationId } = await activeChat(ana.sock);

    const removed = next(ana.sock, 'conversation:removed', (p: any) => p.conversationId === conversationId);
    const assigned = next(sup.sock, 'conversation:assigned', (c: any) => c.id === conversationId);
    const changed = next(child, 'message:new', (m: any) => m.system?.event === 'counsellor_changed');
    const t = await call(sup.sock, 'supervise:takeover', { conversationId });
    expect(t).toMatchObject({ ok: true });
    await removed;
    expect(await assigned).toMatchObject({ assignedStaffId: sup.profile.id, state: 'active' });
    expect((await changed).system.params.name).toBe('Sam');
    expect((await env.app.conversations.get(conversationId)).assignedStaffId).toBe(sup.profile.id);
    expect(await env.app.router.agentState(sup.profile.id)).toMatchObject({ status: 'away', load: 1 });

    // Reassign a chat of Ana's to Bob: Bob is offered it with the note.
    const bob = await staffSocket('counsellor', 'Bob');
    await call(bob.sock, 'agent:status', { status: 'available' });
    const second = await activeChat(ana.sock, 'en');
    const offerAtBob = next(bob.sock, 'offer:new', (o: any) => o.conversation.id === second.conversationId);
    const r = await call(sup.sock, 'supervise:reassign', { conversationId: second.conversationId, staffId: bob.profile.id, note: 'Ana is overloaded' });
    expect(r).toMatchObject({ ok: true });
    const offer = await offerAtBob;
    expect(offer.transfer?.note).toBe('Ana is overloaded');
    const audit = await env.app.audit.search({ targetType: 'conversation', targetId: second.conversationId, action: 'supervision.reassign' });
    expect(audit).toHaveLength(1);
    for (const s of [ana.sock, sup.sock, bob.sock, child, second.child]) s.disconnect();
  });

  it("changes a counsellor's capacity and status", async () => {
    const cat = await staffSocket('counsellor', 'Cat');
    await call(cat.sock, 'agent:status', { status: 'available' });
    const sup = await staffSocket('supervisor', 'Sid');
    const stateAtCat = next(cat.sock, 'agent:state', (s: any) => s.capacity === 3);
    const cap = await call(sup.sock, 'supervise:agent', { staffId: cat.profile.id, capacity: 3 });
    expect(cap).toMatchObject({ ok: true, data: { capacity: 3 } });
    await stateAtCat;
    const away = await call(sup.sock, 'supervise:agent', { staffId: cat.profile.id, status: 'away' });
    expect(away).toMatchObject({ ok: true, data: { status: 'away' } });
    const bad = await call(sup.sock, 'supervise:agent', { staffId: cat.profile.id, capacity: 0 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    const audit = await env.app.audit.search({ targetType: 'staff', targetId: cat.profile.id });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['agent.capacity', 'agent.status']));
    cat.sock.disconnect();
    sup.sock.disconnect();
  });

  it('overflows a language queue to any counsellor and switches the widget to leave-a-message', async () => {
    const sup = await staffSocket('supervisor', 'Sol');
    // Only an English speaker is online: the Serbian child waits until the supervisor overflows the queue.
    const eve = await staffSocket('counsellor', 'Eve', { languages: ['en'] });
    await call(eve.sock, 'agent:status', { status: 'available' });
    const child = widgetClient(env.url);
    await connected(child);
    const s = await call(child, 'conversation:start', { language: 'sr-Cyrl' });
    if (!s.ok) throw new Error('start failed');
    const offerAtEve = next(eve.sock, 'offer:new', (o: any) => o.conversation.id === s.data.conversation.id);
    const o = await call(sup.sock, 'supervise:overflow', { language: 'sr-Cyrl' });
    expect(o).toMatchObject({ ok: true, data: { count: 1 } });
    await offerAtEve;

    const surge = await api(env.url, sup.who, 'PUT', '/api/supervision/surge', { leaveMessageOnly: true });
    expect(surge).toMatchObject({ status: 200, body: { leaveMessageOnly: true } });
    expect(await env.app.settings.get('surge')).toEqual({ leaveMessageOnly: true });
    const b = await call(sup.sock, 'board:snapshot');
    expect(b.ok && b.data.surge.leaveMessageOnly).toBe(true);
    await api(env.url, sup.who, 'PUT', '/api/supervision/surge', { leaveMessageOnly: false });
    for (const x of [sup.sock, eve.sock, child]) x.disconnect();
  });
});

describe('counsellors cannot use helping hands', () => {
  it('refuses every supervision event and another counsellor’s chat', async () => {
    const ana = await staffSocket('counsellor', 'Ana3');
    await call(ana.sock, 'agent:status', { status: 'available' });
    const { child, conversationId } = await activeChat(ana.sock);
    const mallory = await staffSocket('counsellor', 'Mallory');
    for (const [event, payload] of [
      ['supervise:watch', { conversationId }],
      ['supervise:whisper', { conversationId, body: 'x' }],
      ['supervise:join', { conversationId }],
      ['supervise:send', { conversationId, clientMsgId: randomUUID(), body: 'x' }],
      ['supervise:takeover', { conversationId }],
      ['supervise:reassign', { conversationId, staffId: mallory.profile.id }],
      ['supervise:agent', { staffId: ana.profile.id, status: 'away' }],
      ['supervise:overflow', {}],
    ] as const) {
      expect(await call(mallory.sock, event, payload), event).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
    expect(await call(mallory.sock, 'conversation:history', { conversationId, afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await call(mallory.sock, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await api(env.url, mallory.who, 'PUT', '/api/supervision/surge', { leaveMessageOnly: true })).status).toBe(403);
    for (const s of [ana.sock, mallory.sock, child]) s.disconnect();
  });
});
