// Issue 3: order, risk, skills, capacity, offers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually, next, randomUUID, startTestEnv, type TestEnv } from '../helpers.js';
import { accept, child, counsellor, nextOffer } from './fixtures.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ OFFER_TIMEOUT_MS: '1500', MAX_MISSED_OFFERS: '2' });
});
afterAll(async () => {
  await env?.close();
});

const stateOf = async (id: string) => (await env.app.conversations.get(id)).state;

describe('queue order', () => {
  it('serves urgent before high before normal, then the longest waiting first', async () => {
    const a = await child(env.url, { language: 'en' });
    const b = await child(env.url, { language: 'en' });
    const c = await child(env.url, { language: 'en' });
    const sup = await counsellor(env, { role: 'supervisor', available: false });
    // A counsellor/supervisor raises c to high, b to urgent.
    expect((await call(sup.socket, 'conversation:priority', { conversationId: c.conversationId, priority: 'high' })).ok).toBe(true);
    expect((await call(sup.socket, 'conversation:priority', { conversationId: b.conversationId, priority: 'urgent' })).ok).toBe(true);
    const pos = await env.app.router.queueInfo(await env.app.conversations.get(a.conversationId));
    expect(pos.position).toBe(3);

    const k = await counsellor(env, { capacity: 1, languages: ['en'] });
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      const o = await nextOffer(k);
      order.push(o.conversation.id);
      await accept(k, o);
      expect((await call(k.socket, 'conversation:end', { conversationId: o.conversation.id })).ok).toBe(true);
    }
    expect(order).toEqual([b.conversationId, c.conversationId, a.conversationId]);
    for (const x of [a, b, c, sup, k]) x.socket.disconnect();
  });

  it('raises a conversation with risk words to urgent, alerts supervisors, and never answers the child', async () => {
    const sup = await counsellor(env, { role: 'supervisor', available: false });
    const kid = await child(env.url, { language: 'sr-Latn' });
    const alert = next(sup.socket, 'alert:new', (a: any) => a.kind === 'risk' && a.conversationId === kid.conversationId);
    const got: any[] = [];
    kid.socket.on('message:new', (m) => got.push(m));
    const r = await call(kid.socket, 'message:send', { conversationId: kid.conversationId, clientMsgId: randomUUID(), body: 'Razmišljam o samoubistvu' });
    expect(r.ok).toBe(true);
    await alert;
    const c = await env.app.conversations.get(kid.conversationId);
    expect(c.priority).toBe('urgent');
    expect(c.riskFlaggedAt).not.toBeNull();
    // Only the child's own message came back; nothing was said to the child automatically.
    expect(got.filter((m) => m.sender !== 'visitor')).toEqual([]);
    await env.app.router.endConversation(kid.conversationId, 'visitor');
    kid.socket.disconnect();
    sup.socket.disconnect();
  });
});

/**
 * Routing has nothing more to do: this instance's dispatch loop is idle and each counsellor's socket
 * has received whatever was sent to it before (an acknowledgement comes after the events before it).
 */
async function quiet(...who: { socket: Parameters<typeof call>[0] }[]): Promise<void> {
  await env.app.router.dispatch();
  await env.app.router.settle();
  for (const w of who) await call(w.socket, 'agent:hello');
}

describe('skills and capacity', () => {
  it('matches language and topic, and overflows only when allowed', async () => {
    const bgOnly = await counsellor(env, { languages: ['bg'], topics: ['parents'] });
    const kid = await child(env.url, { language: 'sr-Cyrl' });
    await quiet(bgOnly);
    expect(bgOnly.offers).toHaveLength(0);
    expect(await stateOf(kid.conversationId)).toBe('waiting');
    const offered = nextOffer(bgOnly);
    await env.app.router.overflow(kid.conversationId);
    expect((await offered).conversation.id).toBe(kid.conversationId);
    await call(bgOnly.socket, 'agent:status', { status: 'away' });
    await env.app.router.endConversation(kid.conversationId, 'visitor');
    const topicKid = await child(env.url, { language: 'bg', topic: 'online-abuse' });
    await call(bgOnly.socket, 'agent:status', { status: 'available' });
    await quiet(bgOnly);
    expect(bgOnly.offers.filter((o) => o.conversation.id === topicKid.conversationId)).toHaveLength(0);
    await env.app.router.endConversation(topicKid.conversationId, 'visitor');
    for (const x of [bgOnly, kid, topicKid]) x.socket.disconnect();
  });

  it('offers to the counsellor with the most free capacity, never beyond capacity', async () => {
    const lang = 'sr-Latn';
    const big = await counsellor(env, { capacity: 3, languages: [lang] });
    const small = await counsellor(env, { capacity: 1, languages: [lang] });
    const kids = [];
    for (let i = 0; i < 5; i++) kids.push(await child(env.url, { language: lang }));
    await eventually(async () => big.offers.length + small.offers.length >= 4);
    await quiet(big, small);
    expect(big.offers).toHaveLength(3);
    expect(small.offers).toHaveLength(1);
    // First offer went to the one with most free capacity.
    const states = await Promise.all(kids.map((k) => stateOf(k.conversationId)));
    expect(states.filter((s) => s === 'waiting')).toHaveLength(1);
    // Raising capacity live lets the fifth through.
    small.offers.length = 0;
    const fifth = nextOffer(small);
    await env.app.router.setCapacity(small.id, 2, small.id);
    await fifth;
    for (const k of kids) await env.app.router.endConversation(k.conversationId, 'visitor');
    for (const x of [big, small, ...kids]) x.socket.disconnect();
  });
});

describe('offers', () => {
  it('moves on after a decline or a timeout, keeps the place, and sets a counsellor away after missed offers', async () => {
    const lang = 'bg';
    const sup = await counsellor(env, { role: 'supervisor', available: false });
    const first = await counsellor(env, { languages: [lang], capacity: 1 });
    const kid = await child(env.url, { language: lang });
    const o1 = await nextOffer(first);
    const enqueuedAt = (await env.app.conversations.get(kid.conversationId)).enqueuedAt.getTime();

    const second = await counsellor(env, { languages: [lang], capacity: 1, available: false });
    const toSecond = nextOffer(second);
    await call(second.socket, 'agent:status', { status: 'available' });
    const declined = next(first.socket, 'offer:revoked', (p: any) => p.offerId === o1.offerId);
    expect((await call(first.socket, 'offer:decline', { offerId: o1.offerId })).ok).toBe(true);
    expect((await declined).reason).toBe('declined');
    const o2 = await toSecond;
    expect(o2.conversation.id).toBe(kid.conversationId);
    // A late accept of the declined offer is refused; the place in the queue is kept.
    expect(await call(first.socket, 'offer:accept', { offerId: o1.offerId })).toMatchObject({ ok: false, error: { code: 'invalid_state' } });
    expect((await env.app.conversations.get(kid.conversationId)).enqueuedAt.getTime()).toBe(enqueuedAt);

    // second lets two offers time out → set away, supervisors alerted.
    const away = next(sup.socket, 'alert:new', (a: any) => a.kind === 'missed_offers' && a.staffId === second.id, 15_000);
    const revoked = next(second.socket, 'offer:revoked', (p: any) => p.offerId === o2.offerId);
    expect((await revoked).reason).toBe('expired');
    const kid2 = await child(env.url, { language: lang });
    await away;
    expect((await env.app.router.agentState(second.id)).status).toBe('away');
    for (const k of [kid, kid2]) await env.app.router.endConversation(k.conversationId, 'visitor');
    for (const x of [sup, first, second, kid, kid2]) x.socket.disconnect();
  });
});

describe('the child side', () => {
  it('tells the child at once when no counsellor is online, and records leaving the queue as abandoned', async () => {
    const kid = await child(env.url, { language: 'en', topic: 'parents' });
    expect(kid.serviceOpen).toBe(false);
    const st = await call(kid.socket, 'service:status');
    expect(st).toMatchObject({ ok: true, data: { open: false, reason: 'no_counsellor_online' } });
    const r = await call(kid.socket, 'conversation:end', { conversationId: kid.conversationId });
    expect(r).toMatchObject({ ok: true, data: { state: 'abandoned' } });
    const audit = await env.app.audit.search({ targetType: 'conversation', targetId: kid.conversationId, action: 'conversation.abandoned' });
    expect(audit[0]?.meta).toHaveProperty('waitSeconds');
    kid.socket.disconnect();
  });

  it('says it is closed out of business hours', async () => {
    await env.app.settings.set('hours', { enforced: true, weekly: {}, holidays: [] });
    const kid = await child(env.url, {});
    const st = await call(kid.socket, 'service:status');
    expect(st).toMatchObject({ ok: true, data: { open: false, reason: 'out_of_hours' } });
    await env.app.settings.set('hours', { enforced: false });
    await env.app.router.endConversation(kid.conversationId, 'visitor');
    kid.socket.disconnect();
  });
});
