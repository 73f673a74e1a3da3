// Issue 3: disconnects, transfer, manual assignment, live position, wrap-up, auto-accept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, call, connected, eventually, login, next, startTestEnv, type AgentClient, type TestEnv } from '../helpers.js';
import { accept, child, counsellor, leave, nextOffer } from './fixtures.js';
import { offsetClock } from '../../src/infra/clock.js';

let env: TestEnv;
const clock = offsetClock();
beforeAll(async () => {
  env = await startTestEnv({ DISCONNECT_GRACE_MS: '1200', WRAPUP_MS: '800', WRAPUP_URGENT_MS: '1600' }, { clock });
});
afterAll(async () => {
  await env?.close();
});

describe('counsellor disconnects', () => {
  it('a reconnect within the grace period changes nothing', async () => {
    const k = await counsellor(env, { languages: ['en'] });
    const kid = await child(env.url, { language: 'en' });
    await accept(k, await nextOffer(k));
    k.socket.disconnect();
    const who = await login(env.url, k.email, k.password);
    const again = agentClient(env.url, who);
    await connected(again);
    // Past the grace period at once: what its timer and the sweep do then must leave the chat alone.
    clock.advance(1800);
    await env.app.router.checkAgentGrace(k.id);
    await env.app.router.sweep();
    const c = await env.app.conversations.get(kid.conversationId);
    expect(c.state).toBe('active');
    expect(c.assignedStaffId).toBe(k.id);
    await env.app.router.endConversation(kid.conversationId, 'visitor');
    await leave(again);
    kid.socket.disconnect();
  });

  it('after the grace period the conversation goes back to the front of the queue and the child is told', async () => {
    const k = await counsellor(env, { languages: ['sr-Cyrl'] });
    const kid = await child(env.url, { language: 'sr-Cyrl' });
    await accept(k, await nextOffer(k));
    const enq = (await env.app.conversations.get(kid.conversationId)).enqueuedAt.getTime();
    const later = await child(env.url, { language: 'sr-Cyrl' }); // waits behind, k at capacity 2? take it
    const told = next(kid.socket, 'message:new', (m: any) => m.system?.event === 'counsellor_left', 10_000);
    k.socket.disconnect();
    await told;
    const c = await env.app.conversations.get(kid.conversationId);
    expect(['waiting', 'offered']).toContain(c.state);
    expect(c.enqueuedAt.getTime()).toBe(enq);
    await eventually(async () => (await env.app.router.agentState(k.id)).status === 'offline');
    // Another counsellor gets it first: it kept its original place.
    const k2 = await counsellor(env, { languages: ['sr-Cyrl'], capacity: 1 });
    const o = await nextOffer(k2);
    expect(o.conversation.id).toBe(kid.conversationId);
    await accept(k2, o);
    const changed = await eventually(async () => (await env.app.conversations.history(kid.conversationId, 0)).find((m) => m.system?.event === 'counsellor_changed'));
    expect(changed.system?.params?.name).toBe(k2.name);
    for (const x of [kid, later]) await env.app.router.endConversation(x.conversationId, 'visitor');
    await leave(k2.socket);
    for (const x of [kid, later]) x.socket.disconnect();
  });
});

describe('transfer and manual assignment', () => {
  it('transfers to another counsellor with a note that travels, and the child is told', async () => {
    const a = await counsellor(env, { languages: ['bg'], name: 'Ana' });
    const kid = await child(env.url, { language: 'bg' });
    await accept(a, await nextOffer(a));
    const b = await counsellor(env, { languages: ['en'], name: 'Boris', available: true });
    const removed = next(a.socket, 'conversation:removed', (p: any) => p.conversationId === kid.conversationId);
    const told = next(kid.socket, 'message:new', (m: any) => m.system?.event === 'transferred');
    const r = await call(a.socket, 'conversation:transfer', { conversationId: kid.conversationId, to: { type: 'staff', staffId: b.id }, note: 'Grooming suspicion; child prefers short answers' });
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    const offer = await nextOffer(b);
    expect(offer.conversation.id).toBe(kid.conversationId);
    expect(offer.transfer).toEqual({ fromStaffName: 'Ana', note: 'Grooming suspicion; child prefers short answers' });
    await removed;
    await told;
    await accept(b, offer);
    expect((await env.app.conversations.get(kid.conversationId)).assignedStaffId).toBe(b.id);
    // Transfer to a queue of another language: back in the queue, with the note.
    const toQueue = await call(b.socket, 'conversation:transfer', { conversationId: kid.conversationId, to: { type: 'queue', language: 'sr-Latn' }, note: 'Speaks Serbian' });
    expect(toQueue, JSON.stringify(toQueue)).toMatchObject({ ok: true });
    const c = await env.app.conversations.get(kid.conversationId);
    expect(c.language).toBe('sr-Latn');
    expect(c.transferNote).toBe('Speaks Serbian');
    // Someone who is not assigned cannot transfer it.
    const bad = await call(a.socket, 'conversation:transfer', { conversationId: kid.conversationId, to: { type: 'queue' }, note: '' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await env.app.router.endConversation(kid.conversationId, 'visitor');
    await leave(a.socket, b.socket);
    kid.socket.disconnect();
  });

  it('lets a supervisor assign a waiting conversation by hand; counsellors may not', async () => {
    const sup = await counsellor(env, { role: 'supervisor', available: false });
    const k = await counsellor(env, { languages: ['bg'], available: false });
    await call(k.socket, 'agent:status', { status: 'away' });
    const kid = await child(env.url, { language: 'en' });
    const no = await call(k.socket, 'conversation:assign', { conversationId: kid.conversationId, staffId: k.id });
    expect(no).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    const yes = await call(sup.socket, 'conversation:assign', { conversationId: kid.conversationId, staffId: k.id });
    expect(yes, JSON.stringify(yes)).toMatchObject({ ok: true });
    const o = await nextOffer(k);
    expect(o.conversation.id).toBe(kid.conversationId);
    await env.app.router.endConversation(kid.conversationId, 'visitor');
    await leave(sup.socket, k.socket);
    kid.socket.disconnect();
  });
});

describe('waiting and wrap-up', () => {
  it('shows a live queue position that moves as the queue moves', async () => {
    const first = await child(env.url, { language: 'en', topic: 'parents' });
    const second = await child(env.url, { language: 'en', topic: 'parents' });
    const pos1 = await env.app.router.queueInfo(await env.app.conversations.get(second.conversationId));
    expect(pos1.position).toBeGreaterThanOrEqual(2);
    const moved = next(second.socket, 'conversation:updated', (c: any) => c.state === 'waiting' && c.queuePosition === pos1.position! - 1);
    await call(first.socket, 'conversation:end', { conversationId: first.conversationId });
    await moved;
    await env.app.router.endConversation(second.conversationId, 'visitor');
    first.socket.disconnect();
    second.socket.disconnect();
  });

  it('gives a wrap-up time after a conversation, longer after an urgent one', async () => {
    const k = await counsellor(env, { languages: ['sr-Latn'], capacity: 1 });
    const kid = await child(env.url, { language: 'sr-Latn' });
    await accept(k, await nextOffer(k));
    await call(k.socket, 'conversation:end', { conversationId: kid.conversationId });
    const st = await env.app.router.agentState(k.id);
    expect(st.wrapupUntil).not.toBeNull();
    const t = Date.parse(st.wrapupUntil!) - Date.now();
    expect(t).toBeGreaterThan(0);
    expect(t).toBeLessThanOrEqual(800);
    const next1 = await child(env.url, { language: 'sr-Latn' });
    const o = await nextOffer(k);
    expect(o.conversation.id).toBe(next1.conversationId);
    await accept(k, o);
    await env.app.router.setPriority(next1.conversationId, 'urgent', { type: 'system', reason: 'test' });
    await call(k.socket, 'conversation:end', { conversationId: next1.conversationId });
    const st2 = await env.app.router.agentState(k.id);
    expect(Date.parse(st2.wrapupUntil!) - Date.now()).toBeGreaterThan(800);
    await leave(k.socket);
    for (const x of [kid, next1]) x.socket.disconnect();
  });
});

describe('auto-accept', () => {
  it('accepts offers automatically when configured', async () => {
    const auto = await startTestEnv({ AUTO_ACCEPT: 'true' });
    try {
      const k = await counsellor(auto, { languages: ['en'] });
      const assigned = next(k.socket, 'conversation:assigned');
      const kid = await child(auto.url, { language: 'en' });
      expect((await assigned).id).toBe(kid.conversationId);
      expect((await auto.app.conversations.get(kid.conversationId)).state).toBe('active');
      k.socket.disconnect();
      kid.socket.disconnect();
    } finally {
      await auto.close();
    }
  });
});
