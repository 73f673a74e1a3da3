// The live board over real sockets: it changes as visitors and counsellors act, and only supervisors
// (and admins) may see it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import type { BoardSnapshot } from '@helpline/shared';
import { agentClient, api, call, connected, createStaff, login, next, randomUUID, startTestEnv, widgetClient, type AgentClient, type TestEnv } from '../helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.close();
});

async function staffSocket(role: 'counsellor' | 'supervisor' | 'admin', name: string) {
  const s = await createStaff(env.app, role, { name });
  const who = await login(env.url, s.email, s.password);
  const sock = agentClient(env.url, who);
  await connected(sock);
  return { ...s, who, sock };
}

const board = (sock: AgentClient, pred: (b: BoardSnapshot) => boolean) => next<BoardSnapshot>(sock, 'board:update', pred, 8_000);

describe('live board', () => {
  it('follows a contact from the queue to a counsellor and to its end', async () => {
    const sup = await staffSocket('supervisor', 'Sara');
    const ana = await staffSocket('counsellor', 'Ana');
    const first = await call<BoardSnapshot>(sup.sock, 'board:snapshot');
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.data.waiting.total).toBe(0);
    expect(first.data.counsellors.find((c) => c.staffId === ana.profile.id)?.state).toBe('offline');

    // Ana away: a child waits, the board shows it by language and topic.
    await call(ana.sock, 'agent:status', { status: 'away' });
    await board(sup.sock, (b) => b.counsellors.some((c) => c.staffId === ana.profile.id && c.state === 'away'));
    const child = widgetClient(env.url);
    await connected(child);
    const started = await call(child, 'conversation:start', { language: 'bg', topic: 'online-abuse' });
    expect(started.ok).toBe(true);
    const waiting = await board(sup.sock, (b) => b.waiting.total === 1);
    expect(waiting.waiting.groups).toEqual([expect.objectContaining({ language: 'bg', topic: 'online-abuse', priority: 'normal', count: 1 })]);
    expect(waiting.waiting.list[0]).toMatchObject({ state: 'waiting', language: 'bg' });

    // Ana available: offered (busy 1/2), accepted: in progress, answered today.
    const offerP = next(ana.sock, 'offer:new');
    await call(ana.sock, 'agent:status', { status: 'available' });
    const offer = await offerP;
    await board(sup.sock, (b) => b.counsellors.some((c) => c.staffId === ana.profile.id && c.state === 'busy' && c.load === 1 && c.capacity === 2));
    await call(ana.sock, 'offer:accept', { offerId: offer.offerId });
    const live = await board(sup.sock, (b) => b.live.total === 1 && b.waiting.total === 0);
    expect(live.live.list[0]).toMatchObject({ staffId: ana.profile.id, staffName: 'Ana', language: 'bg' });
    expect(live.today.answered).toBe(1);
    expect(live.today.serviceLevel).toMatchObject({ targetSeconds: 60, answeredWithinTarget: 1, share: 1 });

    // The child leaves: the conversation is no longer in progress.
    await call(child, 'conversation:end', { conversationId: offer.conversation.id });
    await board(sup.sock, (b) => b.live.total === 0);

    // A second child gives up while waiting: abandoned today.
    await call(ana.sock, 'agent:status', { status: 'away' });
    const child2 = widgetClient(env.url);
    await connected(child2);
    const s2 = await call(child2, 'conversation:start', { language: 'en' });
    if (!s2.ok) throw new Error('start failed');
    await board(sup.sock, (b) => b.waiting.total === 1);
    await call(child2, 'conversation:end', { conversationId: s2.data.conversation.id });
    const after = await board(sup.sock, (b) => b.today.abandoned === 1 && b.waiting.total === 0);
    expect(after.today.serviceLevel.share).toBe(0.5);
    for (const s of [sup.sock, ana.sock, child, child2]) s.disconnect();
  });

  it('raises an alert when an urgent conversation waits too long', async () => {
    const sup = await staffSocket('supervisor', 'Sue');
    await env.app.settings.set('serviceLevel', { urgentAlertSeconds: 5 });
    const child = widgetClient(env.url);
    await connected(child);
    const s = await call(child, 'conversation:start', { language: 'sr-Latn' });
    if (!s.ok) throw new Error('start failed');
    await env.app.router.setPriority(s.data.conversation.id, 'urgent', { type: 'system', reason: 'test' });
    // Backdate the wait instead of sleeping.
    await env.app.db.execute(sql`update conversations set enqueued_at = now() - interval '10 seconds' where id = ${s.data.conversation.id}`);
    const alert = await next(sup.sock, 'alert:new', (a: any) => a.kind === 'long_wait' && a.conversationId === s.data.conversation.id, 8_000);
    expect(alert.kind).toBe('long_wait');
    const b = await board(sup.sock, (x) => x.waiting.byPriority.urgent >= 1);
    expect(b.waiting.longestWaitSeconds).toBeGreaterThanOrEqual(10);
    await call(child, 'conversation:end', { conversationId: s.data.conversation.id });
    sup.sock.disconnect();
    child.disconnect();
  });
});

describe('who may see the board', () => {
  it('refuses counsellors on the socket and over HTTP; admins may look', async () => {
    const c = await staffSocket('counsellor', 'Carl');
    const res = await call(c.sock, 'board:snapshot');
    expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    let pushed = false;
    c.sock.on('board:update' as never, () => {
      pushed = true;
    });
    expect((await api(env.url, c.who, 'GET', '/api/supervision/board')).status).toBe(403);
    expect((await api(env.url, null, 'GET', '/api/supervision/board')).status).toBe(401);
    expect((await api(env.url, c.who, 'GET', '/api/stats')).status).toBe(403);

    const admin = await staffSocket('admin', 'Adi');
    const snap = await call<BoardSnapshot>(admin.sock, 'board:snapshot');
    expect(snap.ok).toBe(true);
    // Admins see figures, not transcripts.
    expect(await call(admin.sock, 'supervise:watch', { conversationId: randomUUID() })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await next(admin.sock, 'board:update', () => true, 5_000);
    expect(pushed).toBe(false);
    c.sock.disconnect();
    admin.sock.disconnect();
  });
  it('shows waiting per channel with the oldest wait and each channel’s target', async () => {
    const sup = await staffSocket('supervisor', 'Vera');
    const started = [
      await env.app.conversations.start(null, { channel: 'email', language: 'en' }),
      await env.app.conversations.start(null, { channel: 'email', language: 'en' }),
      await env.app.conversations.start(null, { channel: 'phone', language: 'en' }),
    ];
    const b = await board(sup.sock, (s) => s.waiting.byChannel.some((c) => c.channel === 'email' && c.waiting === 2));
    expect(b.waiting.byChannel.map(({ oldestWaitSeconds: _, ...c }) => c)).toEqual([
      { channel: 'email', waiting: 2, targetSeconds: 86_400 },
      { channel: 'phone', waiting: 1, targetSeconds: 20 },
    ]);
    await env.app.settings.set('channelTargets', { email: 7_200 });
    await board(sup.sock, (s) => s.waiting.byChannel.some((c) => c.channel === 'email' && c.targetSeconds === 7_200));
    for (const st of started) await env.app.router.endConversation(st.conversation.id, 'visitor');
    await board(sup.sock, (s) => s.waiting.byChannel.length === 0);
    await env.app.settings.set('channelTargets', { email: 86_400 });
    sup.sock.disconnect();
  });
});
