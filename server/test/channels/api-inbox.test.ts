// Issue 18: the API channel end to end. An integrator (a real HTTP receiver that checks every
// signature) posts a message; a counsellor (socket.io-client as the console) is offered it, answers,
// and the receiver gets the signed reply through the outbox, with retries, failure and replay.
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDelivery } from '@helpline/shared';
import { api, call, createStaff, eventually, freePort, login, randomUUID, startTestEnv, uid, type LoggedIn, type TestEnv } from '../helpers.js';
import { accept, counsellor, nextOffer, type Counsellor } from '../routing/fixtures.js';
import { conversations, messages, visitors } from '../../src/conversations/tables.js';
import { deliveries, inboundMessages } from '../../src/channels/tables.js';
import { hmac, postSigned, startReceiver, type Receiver } from './receiver.js';

let env: TestEnv;
let admin: LoggedIn;
let receiver: Receiver;
let k: Counsellor;
let inbox: { id: string; secret: string };
let conversationId: string;
const deliveriesSeen: MessageDelivery[] = [];

// The sweep's delay is long here, so that a replay or a retry that did not add its own job fails
// instead of being rescued by the sweep; the sweep's own test backdates its row.
beforeAll(async () => {
  env = await startTestEnv({ DELIVERY_ATTEMPTS: '3', DELIVERY_BACKOFF_MS: '100', DELIVERY_TIMEOUT_MS: '3000', DELIVERY_SWEEP_AFTER_MS: '30000', API_INBOX_RATE_PER_MIN: '25' });
  const a = await createStaff(env.app, 'admin');
  admin = await login(env.url, a.email, a.password);
  receiver = await startReceiver(() => inbox.secret);
  const res = await api(env.url, admin, 'POST', '/api/admin/inboxes', { channel: 'api', name: 'Partner app', webhookUrl: receiver.url });
  expect(res.status).toBe(201);
  inbox = { id: res.body.inbox.id, secret: res.body.secret };
  k = await counsellor(env, { capacity: 5 });
  k.socket.on('message:delivery', (d) => deliveriesSeen.push(d));
});
afterAll(async () => {
  k?.socket.disconnect();
  await receiver?.close();
  await env?.close();
});

const contactsOf = async (inboxId: string) => (await env.app.db.select({ n: count() }).from(visitors).where(eq(visitors.inboxId, inboxId)))[0]!.n;
const reply = async (body: string) => {
  const r = await call(k.socket, 'message:send', { conversationId, clientMsgId: randomUUID(), body });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data as { id: string };
};
const deliveryOf = (messageId: string, state: MessageDelivery['state']) => eventually(async () => deliveriesSeen.find((d) => d.messageId === messageId && d.state === state));

describe('API inbox', () => {
  it('shows the secret once: never in the list, stored sealed', async () => {
    const list = await api(env.url, admin, 'GET', '/api/admin/inboxes');
    expect(list.body.inboxes.map((i: any) => i.id)).toContain(inbox.id);
    expect(JSON.stringify(list.body)).not.toContain(inbox.secret);
    const raw = await env.app.db.execute(`select secret_sealed from inboxes where id = '${inbox.id}'`);
    expect(JSON.stringify(raw)).not.toContain(inbox.secret);
  });

  it('a posted message reaches a counsellor, whose answer reaches the integrator signed', async () => {
    const contactId = `user-${uid()}`;
    const res = await postSigned(env.url, inbox.id, inbox.secret, { contactId, messageId: 'm-1', text: 'Someone is threatening me' });
    expect(res.status).toBe(202);
    expect(res.body.duplicate).toBe(false);
    conversationId = res.body.conversationId;
    const offer = await nextOffer(k);
    expect(offer.conversation.id).toBe(conversationId);
    expect(offer.conversation.channel).toBe('api');
    const opened = await accept(k, offer);
    expect(opened.messages.map((m: any) => m.body)).toContain('Someone is threatening me');
    // The contact is known only by a keyed hash of the integrator's id.
    const [contact] = await env.app.db.select().from(visitors).where(eq(visitors.inboxId, inbox.id));
    expect(contact!.externalHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(contact)).not.toContain(contactId);

    const m = await reply('You did right to write. Tell me more.');
    const got = await receiver.waitFor((r) => r.body.message?.id === m.id);
    expect(got.signatureOk).toBe(true);
    expect(got.body).toMatchObject({ event: 'message.created', inboxId: inbox.id, conversationId, message: { text: 'You did right to write. Tell me more.' } });
    expect((await deliveryOf(m.id, 'sent')).attempts).toBe(1);
  });

  it('the same post twice stores one message', async () => {
    const body = { contactId: 'dup-user', messageId: `m-${uid()}`, text: 'once' };
    const a = await postSigned(env.url, inbox.id, inbox.secret, body);
    const b = await postSigned(env.url, inbox.id, inbox.secret, body);
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(b.body).toEqual({ ...a.body, duplicate: true });
    const rows = await env.app.db.select().from(messages).where(eq(messages.conversationId, a.body.conversationId));
    expect(rows.filter((r) => r.body === 'once')).toHaveLength(1);
  });

  it('refuses a forged signature, a stale timestamp and a bad payload with typed errors, storing nothing', async () => {
    const contactsBefore = await contactsOf(inbox.id);
    const body = { contactId: 'forger', messageId: `m-${uid()}`, text: 'forged' };
    const forged = await postSigned(env.url, inbox.id, 'not-the-secret', body);
    expect([forged.status, forged.body.error.code]).toEqual([401, 'bad_signature']);
    const tampered = await postSigned(env.url, inbox.id, inbox.secret, body, { signature: hmac(inbox.secret, String(Math.floor(Date.now() / 1000)), JSON.stringify({ ...body, text: 'other' })) });
    expect(tampered.body.error.code).toBe('bad_signature');
    const stale = await postSigned(env.url, inbox.id, inbox.secret, body, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    expect([stale.status, stale.body.error.code]).toEqual([401, 'stale_timestamp']);
    const nowhere = await postSigned(env.url, 'not-an-inbox', inbox.secret, body);
    expect([nowhere.status, nowhere.body.error.code]).toEqual([404, 'not_found']);
    const bad = await postSigned(env.url, inbox.id, inbox.secret, { contactId: 'x', messageId: 'y' });
    expect([bad.status, bad.body.error.code]).toEqual([400, 'invalid_payload']);
    expect(bad.body.error.fields.map((f: any) => f.path)).toContain('text');
    const claims = await env.app.db.select().from(inboundMessages).where(and(eq(inboundMessages.inboxId, inbox.id), eq(inboundMessages.externalId, body.messageId)));
    expect(claims).toEqual([]);
    expect(await contactsOf(inbox.id)).toBe(contactsBefore);
  });

  it('a receiver that answers 500 twice gets the reply on the third attempt', async () => {
    receiver.failNext(500, 500);
    const m = await reply('Are you still there?');
    const q = await deliveryOf(m.id, 'queued');
    expect(q.error === null || q.error.includes('500')).toBe(true);
    const sent = await deliveryOf(m.id, 'sent');
    expect(sent.attempts).toBe(3);
    const tries = receiver.received.filter((r) => r.body.message?.id === m.id);
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((t) => t.headers['x-helpline-delivery'])).size).toBe(1);
    expect(tries.every((t) => t.signatureOk)).toBe(true);
  });

  it('a receiver down for good ends failed with the reason, listed for the admin; replay delivers it', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/gone`;
    expect((await api(env.url, admin, 'PATCH', `/api/admin/inboxes/${inbox.id}`, { webhookUrl: dead })).status).toBe(200);
    const m = await reply('I will wait for you.');
    const failed = await deliveryOf(m.id, 'failed');
    expect(failed.attempts).toBe(3);
    expect(failed.error).toMatch(/unreachable/);
    const list = await api(env.url, admin, 'GET', `/api/admin/inboxes/${inbox.id}/failed-deliveries`);
    const row = list.body.deliveries.find((x: any) => x.messageId === m.id);
    expect(row.lastError).toMatch(/unreachable/);
    // Counsellors cannot replay; admins can, once the receiver is back.
    const who = await login(env.url, k.email, k.password);
    expect((await api(env.url, who, 'POST', `/api/admin/deliveries/${row.id}/replay`)).status).toBe(403);
    await api(env.url, admin, 'PATCH', `/api/admin/inboxes/${inbox.id}`, { webhookUrl: receiver.url });
    expect((await api(env.url, admin, 'POST', `/api/admin/deliveries/${row.id}/replay`)).status).toBe(200);
    const got = await receiver.waitFor((r) => r.body.message?.id === m.id);
    expect(got.signatureOk).toBe(true);
    await deliveryOf(m.id, 'sent');
    const after = await api(env.url, admin, 'GET', `/api/admin/inboxes/${inbox.id}/failed-deliveries`);
    expect(after.body.deliveries.find((x: any) => x.id === row.id)).toBeUndefined();
    expect((await api(env.url, admin, 'POST', `/api/admin/deliveries/${row.id}/replay`)).body.error.code).toBe('invalid_state');
  });

  it('a queued delivery whose job was lost is delivered by the sweep', async () => {
    const m = await reply('Lost in a crash?');
    await receiver.waitFor((r) => r.body.message?.id === m.id);
    // As if the instance died between the commit of the outbox row and the job's add.
    const [lost] = await env.app.db
      .insert(deliveries)
      .values({ inboxId: inbox.id, conversationId, messageId: m.id, kind: 'message.created', dedupeKey: `test-lost:${m.id}`, updatedAt: new Date(Date.now() - 60_000) })
      .returning();
    const got = await receiver.waitFor((r) => r.body.deliveryId === lost!.id);
    expect(got.signatureOk).toBe(true);
    await eventually(async () => (await env.app.db.select().from(deliveries).where(eq(deliveries.id, lost!.id)))[0]?.state === 'sent');
  });

  it('tells the integrator when the conversation ended', async () => {
    expect((await call(k.socket, 'conversation:end', { conversationId })).ok).toBe(true);
    const got = await receiver.waitFor((r) => r.body.event === 'conversation.ended' && r.body.conversationId === conversationId);
    expect(got.signatureOk).toBe(true);
  });

  it('a conversation.ended lost to a crash between the end and its row is sent by the sweep, once', async () => {
    const res = await postSigned(env.url, inbox.id, inbox.secret, { contactId: `user-${uid()}`, messageId: `m-${uid()}`, text: 'Are you there?' });
    expect(res.status).toBe(202);
    const id = res.body.conversationId as string;
    const offer = await eventually(async () => k.offers.find((o) => o.conversation.id === id));
    expect((await call(k.socket, 'offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    // As if the instance died after the end's commit and before the 'published' listener wrote the row.
    const outbox = env.app.channels.outbox;
    const listener = outbox.onPublished;
    outbox.onPublished = async () => {};
    try {
      expect((await call(k.socket, 'conversation:end', { conversationId: id })).ok).toBe(true);
    } finally {
      outbox.onPublished = listener;
    }
    const endedRow = () => env.app.db.select().from(deliveries).where(eq(deliveries.dedupeKey, `ended:${id}`));
    expect(await endedRow()).toEqual([]);
    // The sweep leaves an end younger than DELIVERY_SWEEP_AFTER_MS to the listener; an older one it queues.
    await outbox.sweep();
    expect(await endedRow()).toEqual([]);
    await env.app.db.update(conversations).set({ endedAt: new Date(Date.now() - 60_000) }).where(eq(conversations.id, id));
    await outbox.sweep();
    const got = await receiver.waitFor((r) => r.body.event === 'conversation.ended' && r.body.conversationId === id);
    expect(got.signatureOk).toBe(true);
    await outbox.sweep();
    expect(await endedRow()).toHaveLength(1);
  });

  it('a flood gets rate_limited and the refused messages are not stored', async () => {
    const res = await api(env.url, admin, 'POST', '/api/admin/inboxes', { channel: 'api', name: 'Flooded', webhookUrl: receiver.url });
    const flooded = { id: res.body.inbox.id as string, secret: res.body.secret as string };
    const ids = Array.from({ length: 60 }, (_, i) => `f-${i}`);
    const answers = [];
    for (const messageId of ids) answers.push({ messageId, ...(await postSigned(env.url, flooded.id, flooded.secret, { contactId: 'flooder', messageId, text: 'spam' })) });
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((a) => a.body.error.code === 'rate_limited')).toBe(true);
    const kept = await env.app.db.select({ externalId: inboundMessages.externalId }).from(inboundMessages).where(eq(inboundMessages.inboxId, flooded.id));
    const keptIds = new Set(kept.map((x) => x.externalId));
    expect(refused.some((a) => keptIds.has(a.messageId))).toBe(false);
    expect(keptIds.size).toBe(answers.filter((a) => a.status === 202).length);
  });

  it('a contact of the API channel waits in the queue with no socket, never counted as gone', async () => {
    const r = await postSigned(env.url, inbox.id, inbox.secret, { contactId: `waiting-${uid()}`, messageId: `m-${uid()}`, text: 'anyone?' });
    expect(r.status).toBe(202);
    // The sweep marks waiting children whose socket is gone (then abandons them): web chats only.
    await env.app.router.sweep();
    const c = await env.app.conversations.get(r.body.conversationId);
    expect(['waiting', 'offered']).toContain(c.state);
    expect(c.visitorDisconnectedAt).toBeNull();
  });

  it('a turned-off inbox answers inbox_disabled', async () => {
    await api(env.url, admin, 'PATCH', `/api/admin/inboxes/${inbox.id}`, { enabled: false });
    const r = await postSigned(env.url, inbox.id, inbox.secret, { contactId: 'late', messageId: `m-${uid()}`, text: 'hello?' });
    expect([r.status, r.body.error.code]).toEqual([403, 'inbox_disabled']);
    await api(env.url, admin, 'PATCH', `/api/admin/inboxes/${inbox.id}`, { enabled: true });
  });
});
