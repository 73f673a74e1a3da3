// Issue 22: "Queue for <name>": a transfer to a colleague who is away or busy reserves the conversation
// for her until TRANSFER_RESERVE_MS (short here), then it is offered to anyone. The periodic sweep is off
// here, so the expiry job alone has to kick dispatch at the limit; the last test runs the sweep by hand
// after losing that job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually, startTestEnv, type TestEnv } from '../helpers.js';
import { waitingRows } from '../../src/routing/board-queries.js';
import { accept, child, counsellor, leave, nextOffer } from './fixtures.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ TRANSFER_RESERVE_MS: '2500', OFFER_TIMEOUT_MS: '20000', SWEEP_INTERVAL_MS: '0' });
});
afterAll(async () => {
  await env?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('transfer: queue for a named colleague', () => {
  it('waits for her alone while she is away, is offered to her when she is available, and to anyone after the limit', async () => {
    const a = await counsellor(env, { capacity: 1, name: 'Ana' });
    const kid = await child(env.url);
    await accept(a, await nextOffer(a));
    const told: string[] = [];
    kid.socket.on('message:new', (m: any) => m.sender === 'system' && told.push(m.system?.event));

    const b = await counsellor(env, { capacity: 2, name: 'Bea', available: false });
    expect((await call(b.socket, 'agent:status', { status: 'away' })).ok).toBe(true);
    const c = await counsellor(env, { capacity: 2, name: 'Cleo' });

    // A plain transfer to an away colleague is refused as before; "Queue for" is accepted.
    const r = await call(a.socket, 'conversation:transfer', { conversationId: kid.conversationId, to: { type: 'staff', staffId: b.id, reserve: true }, note: 'Prefers short answers' });
    expect(r.ok).toBe(true);
    const conv = await env.app.conversations.get(kid.conversationId);
    expect(conv.state).toBe('waiting');
    expect(conv.reservedForStaffId).toBe(b.id);
    expect(conv.transferNote).toBe('Prefers short answers');
    const [audit] = await env.app.audit.search({ targetType: 'conversation', targetId: kid.conversationId, action: 'conversation.transfer' });
    expect(audit?.meta).toMatchObject({ to: 'staff', staffId: b.id, reserved: true });
    // The board says whom it waits for.
    const row = (await waitingRows(env.app.db)).find((w) => w.id === kid.conversationId);
    expect(row?.reserved_for).toBe('Bea');
    // The child was told she waits for a colleague.
    await eventually(async () => told.includes('transferred') || undefined, 3000, 20);

    // Cleo is available with room, but the conversation is not offered to her.
    await env.app.router.kick();
    await sleep(600);
    expect(c.offers).toEqual([]);
    expect((await env.app.conversations.get(kid.conversationId)).state).toBe('waiting');

    // Bea becomes available: it is offered to her, with the note.
    expect((await call(b.socket, 'agent:status', { status: 'available' })).ok).toBe(true);
    const o = await nextOffer(b);
    expect(o.conversation.id).toBe(kid.conversationId);
    expect(c.offers).toEqual([]);
    await accept(b, o);
    expect((await env.app.conversations.get(kid.conversationId)).reservedForStaffId).toBeNull();

    // Bea queues it for Ana, who stays offline: after the limit it goes to anyone (Cleo).
    await leave(a.socket);
    const started = Date.now();
    const r2 = await call(b.socket, 'conversation:transfer', { conversationId: kid.conversationId, to: { type: 'staff', staffId: a.id, reserve: true }, note: 'Back to Ana' });
    expect(r2.ok).toBe(true);
    await leave(b.socket);
    await sleep(1000);
    expect(c.offers).toEqual([]);
    const late = await nextOffer(c, 8000);
    expect(late.conversation.id).toBe(kid.conversationId);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2400);
    await leave(c.socket);
    kid.socket.disconnect();
  });

  it('is offered to anyone after the limit by the sweep when the expiry job was lost', async () => {
    const a = await counsellor(env, { capacity: 1 });
    const kid = await child(env.url);
    await accept(a, await nextOffer(a));
    const away = await counsellor(env, { available: false });
    const r = await call(a.socket, 'conversation:transfer', { conversationId: kid.conversationId, to: { type: 'staff', staffId: away.id, reserve: true }, note: '' });
    expect(r.ok).toBe(true);
    await leave(a.socket);
    const until = (await env.app.conversations.get(kid.conversationId)).reservedUntil!;
    await env.app.jobs.remove('timers', `reserve-expiry-${kid.conversationId}-${until.getTime()}`);
    const c = await counsellor(env, { capacity: 2 });
    await sleep(until.getTime() - Date.now() + 1000);
    expect(c.offers).toEqual([]);
    await env.app.router.sweep();
    const o = await nextOffer(c, 3000);
    expect(o.conversation.id).toBe(kid.conversationId);
    await leave(c.socket, away.socket);
    kid.socket.disconnect();
  });

  it('refuses "Queue for" someone who is not a counsellor', async () => {
    const a = await counsellor(env, { capacity: 1 });
    const kid = await child(env.url);
    await accept(a, await nextOffer(a));
    const r = await call(a.socket, 'conversation:transfer', { conversationId: kid.conversationId, to: { type: 'staff', staffId: '00000000-0000-4000-8000-000000000000', reserve: true }, note: '' });
    expect(r.ok).toBe(false);
    expect((await env.app.conversations.get(kid.conversationId)).state).toBe('active');
    await leave(a.socket);
    kid.socket.disconnect();
  });
});
