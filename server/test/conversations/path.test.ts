// The whole path over real sockets: a child starts a chat, it is offered to an available counsellor,
// both exchange messages, the counsellor closes it with a case record, the child sees the end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, api, call, connected, createStaff, login, next, randomUUID, startTestEnv, widgetClient, type TestEnv } from '../helpers.js';
import { execRows, sql } from '../../src/db/client.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('one conversation end to end', () => {
  it('routes, delivers both ways, persists before ack, and closes with a case record', async () => {
    const staff = await createStaff(env.app, 'counsellor', { name: 'Ana' });
    const who = await login(env.url, staff.email, staff.password);
    const agent = agentClient(env.url, who);
    await connected(agent);
    const hello = await call(agent, 'agent:hello');
    expect(hello.ok).toBe(true);
    const avail = await call(agent, 'agent:status', { status: 'available' });
    expect(avail).toMatchObject({ ok: true, data: { status: 'available', capacity: 2 } });

    const child = widgetClient(env.url);
    await connected(child);
    const offerP = next(agent, 'offer:new');
    const started = await call(child, 'conversation:start', { language: 'bg', ageGroup: '12-18' });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    const conversationId = started.data.conversation.id;
    expect(started.data.token.length).toBeGreaterThan(20);
    // A counsellor is free: the offer may already be out when the answer is written.
    expect(['waiting', 'offered']).toContain(started.data.conversation.state);

    const offer = await offerP;
    expect(offer.conversation.id).toBe(conversationId);
    const joined = next(child, 'message:new', (m: any) => m.system?.event === 'counsellor_joined');
    const acc = await call(agent, 'offer:accept', { offerId: offer.offerId });
    expect(acc).toMatchObject({ ok: true, data: { conversation: { id: conversationId, state: 'active' } } });
    expect((await joined).system.params.name).toBe('Ana');

    // child → counsellor, and to the child's other tab; the sending socket has it in its ack only.
    const twin = widgetClient(env.url, { token: started.data.token });
    await connected(twin);
    const atAgent = next(agent, 'message:new', (m: any) => m.sender === 'visitor');
    const clientMsgId = randomUUID();
    const atTwin = next(twin, 'message:new', (m: any) => m.clientMsgId === clientMsgId);
    let echoed = 0;
    child.on('message:new', (m: any) => void (m.clientMsgId === clientMsgId && echoed++));
    const sent = await call(child, 'message:send', { conversationId, clientMsgId, body: 'Здравей, имам проблем' });
    expect(sent.ok).toBe(true);
    if (!sent.ok) return;
    const got = await atAgent;
    expect(got).toMatchObject({ body: 'Здравей, имам проблем', seq: sent.data.seq, clientMsgId });
    expect((await atTwin).seq).toBe(sent.data.seq);
    // An answer on the sending socket's own connection comes after anything sent to it before.
    expect((await call(child, 'service:status')).ok).toBe(true);
    expect(echoed).toBe(0);
    twin.disconnect();
    // Committed before the ack: it is in Postgres now.
    const inDb = await env.app.conversations.history(conversationId, 0);
    expect(inDb.map((m) => m.clientMsgId)).toContain(clientMsgId);

    // A resend with the same client id is the same message, stored once.
    const again = await call(child, 'message:send', { conversationId, clientMsgId, body: 'Здравей, имам проблем' });
    expect(again.ok && again.data.id).toBe(sent.data.id);
    expect((await env.app.conversations.history(conversationId, 0)).filter((m) => m.clientMsgId === clientMsgId)).toHaveLength(1);

    // counsellor → child
    const atChild = next(child, 'message:new', (m: any) => m.sender === 'counsellor');
    const reply = await call(agent, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'Тук съм. Разкажи ми.' });
    expect(reply.ok).toBe(true);
    expect(await atChild).toMatchObject({ body: 'Тук съм. Разкажи ми.', senderName: 'Ana' });

    // Reconnect with the last seen seq: exactly the rest, in order.
    const token = started.data.token;
    child.disconnect();
    await call(agent, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'Още ли си там?' });
    const back = widgetClient(env.url, { token });
    await connected(back);
    const resumed = await call(back, 'conversation:resume', { afterSeq: sent.data.seq });
    expect(resumed.ok).toBe(true);
    if (!resumed.ok) return;
    const seqs = resumed.data.messages.map((m: any) => m.seq);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => sent.data.seq + 1 + i));
    expect(resumed.data.messages.map((m: any) => m.body)).toEqual(['Тук съм. Разкажи ми.', 'Още ли си там?']);

    // Close with a case record: the child sees the end.
    const ended = next(back, 'conversation:updated', (c: any) => c.state === 'wrapup' || c.state === 'closed');
    const close = await api(env.url, who, 'POST', `/api/conversations/${conversationId}/close`, {
      contactType: 'child',
      categories: ['cyberbullying', 'privacy'],
      summary: 'Bullying in a class group chat; advised on blocking and reporting.',
    });
    expect(close.status).toBe(200);
    expect(close.body.conversation.state).toBe('closed');
    expect(close.body.caseRecord.chiCategories).toEqual(['violence', 'peer-relationships']);
    expect((await ended).state).toMatch(/wrapup|closed/);

    agent.disconnect();
    back.disconnect();
  });

  it('answers malformed payloads with a typed error and keeps the connection', async () => {
    const child = widgetClient(env.url);
    await connected(child);
    const bad = await call(child, 'conversation:start', { language: 'xx', extra: 1 });
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    const notYet = await call(child, 'message:send', { conversationId: randomUUID(), clientMsgId: 'a', body: 'hi' });
    expect(notYet).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const huge = await call(child, 'conversation:start', 'not an object');
    expect(huge).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });
    expect(child.connected).toBe(true);
    child.disconnect();
  });

  it('makes one visitor and one conversation of a burst of starts on one socket', async () => {
    const count = async () => (await execRows<{ v: number; c: number }>(env.app.db, sql`select (select count(*) from visitors)::int as v, (select count(*) from conversations)::int as c`))[0]!;
    const before = await count();
    const child = widgetClient(env.url);
    await connected(child);
    const acks = await Promise.all(Array.from({ length: 8 }, () => call(child, 'conversation:start', { language: 'en' })));
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    expect(new Set(acks.map((a) => (a.ok ? a.data.conversation.id : null))).size).toBe(1);
    expect(await count()).toEqual({ v: before.v + 1, c: before.c + 1 });
    child.disconnect();
  });

  it('refuses widget connections from a foreign origin at the handshake', async () => {
    const evil = widgetClient(env.url, { origin: 'https://evil.example' });
    const err = await new Promise<any>((resolve) => evil.once('connect_error', resolve));
    expect(err.message).toBe('origin_not_allowed');
    evil.disconnect();
  });
});
