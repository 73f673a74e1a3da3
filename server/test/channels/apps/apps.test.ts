// Issue 20: the messaging apps end to end through the real HTTP endpoints. Each app's documented
// webhook payloads (fixtures/, each naming its source) are signed as the app signs them and posted;
// a counsellor (socket.io-client as the console) is offered the conversation and answers; the answer
// goes through the outbox to a local stand-in of the app's API (stand-in.ts), which checks every
// request's shape and credentials and can answer 429, 500 or nothing.
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageDelivery } from '@helpline/shared';
import { api, call, createStaff, eventually, login, randomUUID, startTestEnv, uid, type LoggedIn, type TestEnv } from '../../helpers.js';
import { accept, counsellor, nextOffer, type Counsellor } from '../../routing/fixtures.js';
import { conversations, messages, visitors } from '../../../src/conversations/tables.js';
import { deliveries, inboundMessages } from '../../../src/channels/tables.js';
import { appContacts, appEvents } from '../../../src/channels/apps/tables.js';
import { FILES_NOT_ACCEPTED } from '../../../src/channels/apps/notices.js';
import { createAppInbox, fixture, metaSignature, postWebhook, raw, viberSignature, type AppInboxOf } from './app-helpers.js';
import { startStandIn, type StandIn, type StandInRequest } from './stand-in.js';

let env: TestEnv;
let admin: LoggedIn;
let standIn: StandIn;
let k: Counsellor;
const seen: MessageDelivery[] = [];
const MAX_BYTES = 8192;

beforeAll(async () => {
  standIn = await startStandIn();
  env = await startTestEnv({ ...standIn.env, DELIVERY_ATTEMPTS: '3', DELIVERY_BACKOFF_MS: '100', DELIVERY_TIMEOUT_MS: '1500', DELIVERY_SWEEP_AFTER_MS: '30000', APP_WEBHOOK_MAX_BYTES: String(MAX_BYTES) });
  const a = await createStaff(env.app, 'admin');
  admin = await login(env.url, a.email, a.password);
  k = await counsellor(env, { capacity: 20 });
  k.socket.on('message:delivery', (d) => seen.push(d));
});
afterAll(async () => {
  k?.socket.disconnect();
  await env?.close();
  await standIn?.close();
});

const db = () => env.app.db;
const deliveryOf = (messageId: string, state: MessageDelivery['state'], timeoutMs = 10_000) => eventually(async () => seen.find((d) => d.messageId === messageId && d.state === state), timeoutMs);
const reply = async (conversationId: string, body: string) => {
  const r = await call(k.socket, 'message:send', { conversationId, clientMsgId: randomUUID(), body });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.data as { id: string };
};
/** Every stored webhook body of the inbox was processed (the job deletes its row). */
const drained = (inboxId: string) => eventually(async () => (await db().select({ n: count() }).from(appEvents).where(eq(appEvents.inboxId, inboxId)))[0]!.n === 0);
const contactsOf = async (inboxId: string) => (await db().select({ n: count() }).from(visitors).where(eq(visitors.inboxId, inboxId)))[0]!.n;
const storedEvents = async () => (await db().select({ n: count() }).from(appEvents))[0]!.n;
const wellFormed = (r: StandInRequest) => expect(r.problems).toEqual([]);
const externalIdOf = async (messageId: string) => (await db().select().from(deliveries).where(eq(deliveries.messageId, messageId)))[0]!.externalId!;
const viberConversations = async () => (await db().select({ n: count() }).from(conversations).where(eq(conversations.channel, 'viber')))[0]!.n;
const since = (n: number) => (r: StandInRequest) => standIn.requests.indexOf(r) >= n;

async function offered(text: string) {
  const offer = await nextOffer(k);
  const opened = await accept(k, offer);
  expect(opened.messages.map((m: any) => m.body)).toContain(text);
  return offer.conversation;
}

describe('Viber', () => {
  const authToken = `viber-${uid(12)}`;
  let inbox: AppInboxOf;
  const post = (body: string, token = authToken) => postWebhook(env.url, inbox.id, body, { 'x-viber-content-signature': viberSignature(token, body) });
  const message = (userId: string, token: string, text: string, language = 'en') => {
    const f = fixture('viber-message-text').payload;
    return raw({ ...f, timestamp: Date.now(), message_token: token, sender: { ...f.sender, id: userId, language }, message: { ...f.message, text } });
  };
  let conversationId = '';
  let userId = '';

  it('connects with its token (sealed, never shown back), shows the webhook address, checks and registers it', async () => {
    standIn.accept('viber', authToken);
    inbox = await createAppInbox(env.url, admin, { channel: 'viber', name: 'Helpline on Viber', authToken });
    expect(inbox.webhookUrl).toBe(`${env.app.config.publicUrl}/api/channels/apps/${inbox.id}/webhook`);
    const list = await api(env.url, admin, 'GET', '/api/admin/inboxes');
    expect(list.body.inboxes.find((i: any) => i.id === inbox.id).channel).toBe('viber');
    expect(JSON.stringify(list.body)).not.toContain(authToken);
    expect(JSON.stringify((await api(env.url, admin, 'GET', `/api/admin/inboxes/${inbox.id}/app`)).body)).not.toContain(authToken);
    expect(JSON.stringify(await db().execute(`select * from inboxes where id = '${inbox.id}'`))).not.toContain(authToken);

    const check = await api(env.url, admin, 'POST', `/api/admin/inboxes/${inbox.id}/app/check`);
    expect(check.body).toEqual({ ok: true, accountName: 'Stand-in bot', accountId: 'pa:75346594275468546724' });
    wellFormed(standIn.of('viber.get_account_info').at(-1)!);
    const reg = await api(env.url, admin, 'POST', `/api/admin/inboxes/${inbox.id}/app/register`);
    expect(reg.body.ok).toBe(true);
    const set = standIn.of('viber.set_webhook').at(-1)!;
    wellFormed(set);
    expect(set.body).toMatchObject({ url: inbox.webhookUrl, send_name: false, send_photo: false });

    const wrong = await createAppInbox(env.url, admin, { channel: 'viber', name: 'Wrong token', authToken: 'not-the-token' });
    expect((await api(env.url, admin, 'POST', `/api/admin/inboxes/${wrong.id}/app/check`)).body).toMatchObject({ ok: false, problem: 'bad_credentials' });
    // Counsellors cannot see or check an inbox.
    const who = await login(env.url, k.email, k.password);
    expect((await api(env.url, who, 'POST', `/api/admin/inboxes/${inbox.id}/app/check`)).status).toBe(403);
  });

  it('a message reaches a counsellor; the person is a keyed hash; the answer goes by send_message; delivered and seen are shown', async () => {
    userId = `${uid(10)}A==`;
    const res = await post(message(userId, '4912661846655238145', 'Someone posts my photos'));
    expect(res.status).toBe(200);
    const c = await offered('Someone posts my photos');
    expect(c.channel).toBe('viber');
    expect(c.language).toBe('en');
    conversationId = c.id;
    // Known only by the keyed hash; the address to answer at is sealed; no name or picture anywhere.
    const [contact] = await db().select().from(visitors).where(eq(visitors.inboxId, inbox.id));
    expect(contact!.externalHash).toMatch(/^[0-9a-f]{64}$/);
    const rows = JSON.stringify([contact, await db().select().from(appContacts).where(eq(appContacts.inboxId, inbox.id))]);
    for (const leak of [userId, 'John McClane', 'avatar.example.com']) expect(rows).not.toContain(leak);

    const m = await reply(conversationId, 'Thank you for telling us. Is it on Instagram?');
    const sent = await standIn.waitFor((r) => r.endpoint === 'viber.send_message' && r.body?.text === 'Thank you for telling us. Is it on Instagram?');
    wellFormed(sent);
    expect(sent.headers['x-viber-auth-token']).toBe(authToken);
    expect(sent.body.receiver).toBe(userId);
    await deliveryOf(m.id, 'sent');
    // Viber's 64-bit message token kept to the last digit: the receipts name it.
    const token = await externalIdOf(m.id);
    expect(token).toMatch(/^57413118035717\d{5}$/);
    for (const [name, state] of [['viber-delivered', 'delivered'], ['viber-seen', 'read']] as const) {
      const body = raw({ ...fixture(name).payload, message_token: token, user_id: userId });
      expect((await post(body)).status).toBe(200);
      await deliveryOf(m.id, state);
    }
    // A late "delivered" never undoes "read".
    await post(raw({ ...fixture('viber-delivered').payload, message_token: token, user_id: userId }));
    await drained(inbox.id);
    expect((await db().select().from(deliveries).where(eq(deliveries.messageId, m.id)))[0]!.state).toBe('read');
  });

  it('the same event twice is stored once', async () => {
    const body = message(userId, '4912661846655238999', 'once only');
    const [a, b] = [await post(body), await post(body)];
    expect([a.status, b.status]).toEqual([200, 200]);
    await drained(inbox.id);
    const rows = await db().select().from(messages).where(eq(messages.conversationId, conversationId));
    expect(rows.filter((r) => r.body === 'once only')).toHaveLength(1);
    expect(await db().select().from(inboundMessages).where(eq(inboundMessages.externalId, '4912661846655238999'))).toHaveLength(1);
  });

  it('a forged, missing or tampered signature gets 401 and nothing is stored', async () => {
    const before = { events: await storedEvents(), contacts: await contactsOf(inbox.id) };
    const body = message(`${uid(10)}B==`, '4912661846655230001', 'forged');
    expect((await post(body, 'not-the-token')).status).toBe(401);
    expect((await postWebhook(env.url, inbox.id, body, {})).status).toBe(401);
    const tampered = await postWebhook(env.url, inbox.id, body.replace('forged', 'forgee'), { 'x-viber-content-signature': viberSignature(authToken, body) });
    expect([tampered.status, tampered.body.error.code]).toEqual([401, 'bad_signature']);
    expect((await postWebhook(env.url, randomUUID(), body, { 'x-viber-content-signature': viberSignature(authToken, body) })).status).toBe(404);
    expect({ events: await storedEvents(), contacts: await contactsOf(inbox.id) }).toEqual(before);
    expect(await db().select().from(inboundMessages).where(eq(inboundMessages.externalId, '4912661846655230001'))).toEqual([]);
  });

  it('an unknown event type is answered 200 and ignored', async () => {
    const before = await contactsOf(inbox.id);
    const f = fixture('viber-subscribed').payload;
    expect((await post(raw({ ...f, user: { ...f.user, id: `${uid(10)}C==` } }))).status).toBe(200);
    expect((await post(raw({ event: 'an_event_of_tomorrow', timestamp: Date.now() }))).status).toBe(200);
    await drained(inbox.id);
    expect(await contactsOf(inbox.id)).toBe(before);
  });

  it('an oversized body gets 413 and nothing is stored', async () => {
    const before = await storedEvents();
    const body = message(userId, '4912661846655230002', 'x'.repeat(MAX_BYTES));
    const res = await post(body);
    expect([res.status, res.body.error.code]).toEqual([413, 'too_large']);
    expect(await storedEvents()).toBe(before);
  });

  it('a picture is never downloaded: the sender is told kindly, in their language, that files are not accepted', async () => {
    const person = `${uid(10)}D==`;
    const before = await viberConversations();
    const f = fixture('viber-message-picture').payload;
    const n = standIn.requests.length;
    const body = raw({ ...f, timestamp: Date.now(), sender: { ...f.sender, id: person, language: 'sr' }, message: { ...f.message, media: `${standIn.url}/media/img.jpg`, thumbnail: `${standIn.url}/media/thumb.jpg` } });
    expect((await post(body)).status).toBe(200);
    const notice = await standIn.waitFor((r) => since(n)(r) && r.endpoint === 'viber.send_message' && r.body?.receiver === person);
    wellFormed(notice);
    expect(notice.body.text).toBe(FILES_NOT_ACCEPTED['sr-Cyrl']);
    await drained(inbox.id);
    expect(standIn.of('media')).toEqual([]);
    // Nothing of it is stored: no message, no conversation.
    expect(await viberConversations()).toBe(before);
  });

  it('a link stays plain text, never fetched', async () => {
    const link = `${standIn.url}/media/page?x=1`;
    expect((await post(message(userId, '4912661846655230003', `look: ${link}`))).status).toBe(200);
    await drained(inbox.id);
    const rows = await db().select().from(messages).where(eq(messages.conversationId, conversationId));
    expect(rows.map((r) => r.body)).toContain(`look: ${link}`);
    expect(standIn.of('media')).toEqual([]);
  });

  it('429 with Retry-After, then 500: the reply is sent on the third attempt, not before Viber asked', async () => {
    standIn.plan('viber.send_message', { status: 429, retryAfter: '1' }, { status: 500 });
    const m = await reply(conversationId, 'Still with you.');
    const sent = await deliveryOf(m.id, 'sent');
    expect(sent.attempts).toBe(3);
    const tries = standIn.of('viber.send_message').filter((r) => r.body?.text === 'Still with you.');
    expect(tries).toHaveLength(3);
    tries.forEach(wellFormed);
    // The backoff is 100 ms; Retry-After said 1 s.
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('an app that does not answer is tried again: the reply is not lost', async () => {
    standIn.plan('viber.send_message', 'hang');
    const m = await reply(conversationId, 'Are you there?');
    const queued = await deliveryOf(m.id, 'queued');
    expect(queued).toBeTruthy();
    const sent = await deliveryOf(m.id, 'sent', 15_000);
    expect(sent.attempts).toBe(2);
    expect(seen.some((d) => d.messageId === m.id && d.error?.includes('timeout'))).toBe(true);
  });

  it('a person who unsubscribed: failed at once with the reason recipient_gone', async () => {
    standIn.plan('viber.send_message', { status: 200, body: { status: 6, status_message: 'receiverNotSubscribed' } });
    const m = await reply(conversationId, 'Bye?');
    const failed = await deliveryOf(m.id, 'failed');
    expect([failed.attempts, failed.reason]).toEqual([1, 'recipient_gone']);
  });

  it('a message Viber refuses as such (badData) is failed at once with the reason rejected', async () => {
    standIn.plan('viber.send_message', { status: 200, body: { status: 3, status_message: 'badData' } });
    const m = await reply(conversationId, 'Refused?');
    expect(await deliveryOf(m.id, 'failed')).toMatchObject({ attempts: 1, reason: 'rejected' });
  });

  it('a stored webhook body whose job was lost is processed by the sweep', async () => {
    // As if the instance died between storing the body (the app had its 200) and adding the job.
    const [row] = await db()
      .insert(appEvents)
      .values({ inboxId: inbox.id, body: message(userId, '4912661846655230777', 'lost in a crash'), createdAt: new Date(Date.now() - 60_000) })
      .returning();
    await eventually(async () => (await db().select().from(messages).where(eq(messages.conversationId, conversationId))).some((r) => r.body === 'lost in a crash'));
    await eventually(async () => (await db().select().from(appEvents).where(eq(appEvents.id, row!.id))).length === 0);
  });

  it('erasure removes the contact\'s sealed address with its hash', async () => {
    expect((await call(k.socket, 'conversation:end', { conversationId })).ok).toBe(true);
    const c = await env.app.conversations.get(conversationId);
    const visitorId = c.visitorId!;
    expect(await db().select().from(appContacts).where(eq(appContacts.visitorId, visitorId))).toHaveLength(1);
    await env.app.retention.eraseVisitor(visitorId, { staffId: admin.profile.id });
    expect(await db().select().from(appContacts).where(eq(appContacts.visitorId, visitorId))).toEqual([]);
    expect(await db().select().from(visitors).where(eq(visitors.id, visitorId))).toEqual([]);
  });
});

describe('Messenger', () => {
  const accessToken = `EAAG${uid(20)}`;
  const appSecret = `secret-${uid(16)}`;
  let inbox: AppInboxOf;
  let psid = '';
  let conversationId = '';
  const post = (body: string, secret = appSecret) => postWebhook(env.url, inbox.id, body, { 'x-hub-signature-256': metaSignature(secret, body) });
  const withSender = (name: string, patch: (e: any) => void) => {
    const f = fixture(name).payload;
    const e = f.entry[0].messaging[0];
    e.sender.id = psid;
    e.timestamp = Date.now();
    patch(e);
    return JSON.stringify(f);
  };

  it('answers Meta\'s hub.challenge handshake with the verify token shown to the admin, and checks /me', async () => {
    standIn.accept('meta', accessToken);
    inbox = await createAppInbox(env.url, admin, { channel: 'messenger', name: 'Helpline on Messenger', accessToken, appSecret });
    expect(inbox.verifyToken).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const hs = (token: string) => fetch(`${inbox.webhookUrl.replace(env.app.config.publicUrl, env.url)}?hub.mode=subscribe&hub.verify_token=${encodeURIComponent(token)}&hub.challenge=1158201444`);
    const ok = await hs(inbox.verifyToken!);
    expect([ok.status, await ok.text()]).toEqual([200, '1158201444']);
    expect((await hs('wrong-token')).status).toBe(403);
    expect((await api(env.url, admin, 'POST', `/api/admin/inboxes/${inbox.id}/app/check`)).body).toEqual({ ok: true, accountName: 'Stand-in Page', accountId: '1234567890' });
    const me = standIn.of('meta.me').at(-1)!;
    wellFormed(me);
    expect(me.headers.authorization).toBe(`Bearer ${accessToken}`);
    // Meta's webhook is set in its dashboard: no register.
    expect((await api(env.url, admin, 'POST', `/api/admin/inboxes/${inbox.id}/app/register`)).body.error.code).toBe('invalid_state');
  });

  it('a message reaches a counsellor; the answer goes by the Send API; delivery and read are shown', async () => {
    psid = String(Date.now()) + uid(4).replace(/\D/g, '7');
    expect((await post(withSender('messenger-message-text', (e) => (e.message.mid = `m_${uid(20)}`)))).status).toBe(200);
    const c = await offered('This is a text message');
    expect(c.channel).toBe('messenger');
    conversationId = c.id;
    const m = await reply(conversationId, 'Hello, I am a counsellor. How can I help?');
    const sent = await standIn.waitFor((r) => r.endpoint === 'meta.me/messages' && r.body?.message?.text === 'Hello, I am a counsellor. How can I help?');
    wellFormed(sent);
    expect(sent.body).toMatchObject({ recipient: { id: psid }, messaging_type: 'RESPONSE' });
    expect(sent.headers.authorization).toBe(`Bearer ${accessToken}`);
    await deliveryOf(m.id, 'sent');
    const mid = await externalIdOf(m.id);
    expect((await post(withSender('messenger-delivery', (e) => (e.delivery = { mids: [mid], watermark: Date.now() })))).status).toBe(200);
    await deliveryOf(m.id, 'delivered');
    expect((await post(withSender('messenger-read', (e) => (e.read = { watermark: Date.now() })))).status).toBe(200);
    await deliveryOf(m.id, 'read');
  });

  it('the counsellor typing and reading are shown to the person (typing_on, mark_seen), once per few seconds', async () => {
    const n = standIn.requests.length;
    k.socket.emit('typing', { conversationId, typing: true });
    k.socket.emit('typing', { conversationId, typing: true });
    const typing = await standIn.waitFor((r) => since(n)(r) && r.endpoint === 'meta.me/messages' && r.body?.sender_action === 'typing_on');
    wellFormed(typing);
    expect(typing.body.recipient.id).toBe(psid);
    const c = await env.app.conversations.get(conversationId);
    expect((await call(k.socket, 'message:read', { conversationId, seq: c.lastSeq })).ok).toBe(true);
    wellFormed(await standIn.waitFor((r) => since(n)(r) && r.body?.sender_action === 'mark_seen'));
    expect(standIn.requests.filter((r) => since(n)(r) && r.body?.sender_action === 'typing_on')).toHaveLength(1);
  });

  it('a forged X-Hub-Signature-256 gets 401; a reaction (unknown here) is answered 200 and ignored', async () => {
    const before = await storedEvents();
    const body = withSender('messenger-message-text', (e) => (e.message = { mid: `m_${uid(20)}`, text: 'forged' }));
    expect((await post(body, 'not-the-secret')).status).toBe(401);
    expect((await postWebhook(env.url, inbox.id, body, { 'x-hub-signature-256': 'sha256=' + '0'.repeat(64) })).status).toBe(401);
    expect(await storedEvents()).toBe(before);
    const n = (await db().select().from(messages).where(eq(messages.conversationId, conversationId))).length;
    expect((await post(withSender('messenger-reaction', () => {}))).status).toBe(200);
    await drained(inbox.id);
    expect((await db().select().from(messages).where(eq(messages.conversationId, conversationId))).length).toBe(n);
  });

  it('an image is never fetched: the sender is told in the centre\'s language (Messenger tells none)', async () => {
    const n = standIn.requests.length;
    expect((await post(withSender('messenger-message-image', (e) => (e.message = { mid: `m_${uid(20)}`, attachments: [{ type: 'image', payload: { url: `${standIn.url}/media/a.jpg` } }] })))).status).toBe(200);
    const notice = await standIn.waitFor((r) => since(n)(r) && r.endpoint === 'meta.me/messages');
    wellFormed(notice);
    const lang = (await env.app.settings.get('widget')).defaultLanguage as keyof typeof FILES_NOT_ACCEPTED;
    expect(notice.body.message.text).toBe(FILES_NOT_ACCEPTED[lang]);
    expect(standIn.of('media')).toEqual([]);
  });

  it('past the 24-hour window the reply is not sent: failed with outside_window; Meta\'s own window error is the same', async () => {
    const [conv] = await db().select().from(messages).where(eq(messages.conversationId, conversationId)).limit(1);
    expect(conv).toBeTruthy();
    const c = await env.app.conversations.get(conversationId);
    await db().update(appContacts).set({ lastInboundAt: new Date(Date.now() - 25 * 3600_000) }).where(eq(appContacts.visitorId, c.visitorId!));
    const n = standIn.of('meta.me/messages').length;
    const m = await reply(conversationId, 'Are you still there?');
    const failed = await deliveryOf(m.id, 'failed');
    expect([failed.attempts, failed.reason]).toEqual([1, 'outside_window']);
    expect(standIn.of('meta.me/messages').length).toBe(n);

    await db().update(appContacts).set({ lastInboundAt: new Date() }).where(eq(appContacts.visitorId, c.visitorId!));
    standIn.plan('meta.me/messages', { status: 400, body: { error: { message: '(#10) This message is sent outside of allowed window.', type: 'OAuthException', code: 10, error_subcode: 2018278 } } });
    const m2 = await reply(conversationId, 'One more thing.');
    expect((await deliveryOf(m2.id, 'failed')).reason).toBe('outside_window');
  });
});

describe('Telegram', () => {
  const botToken = `7${uid(8).replace(/\D/g, '1')}:AA${uid(30).replace(/[^A-Za-z0-9]/g, 'x')}`;
  let inbox: AppInboxOf;
  let secret = '';
  const chatId = Number(String(Date.now()).slice(-9));
  const update = (name: string, messageId: number) => {
    const f = fixture(name).payload;
    const m = f.message ?? f.edited_message;
    m.chat.id = chatId;
    m.from.id = chatId;
    m.message_id = messageId;
    m.date = Math.floor(Date.now() / 1000);
    return JSON.stringify(f);
  };
  const post = (body: string, token = secret) => postWebhook(env.url, inbox.id, body, { 'x-telegram-bot-api-secret-token': token });

  it('registers the webhook with a secret token, checks getMe, and takes a message to a counsellor; sendMessage answers', async () => {
    standIn.accept('telegram', botToken);
    inbox = await createAppInbox(env.url, admin, { channel: 'telegram', name: 'Helpline on Telegram', botToken });
    expect((await api(env.url, admin, 'POST', `/api/admin/inboxes/${inbox.id}/app/check`)).body).toMatchObject({ ok: true, accountName: 'standin_bot' });
    expect((await api(env.url, admin, 'POST', `/api/admin/inboxes/${inbox.id}/app/register`)).body.ok).toBe(true);
    const set = standIn.of('telegram.setWebhook').at(-1)!;
    wellFormed(set);
    expect(set.path).toBe(`/telegram/bot${botToken}/setWebhook`);
    expect(set.body.url).toBe(inbox.webhookUrl);
    secret = set.body.secret_token;

    expect((await post(update('telegram-update-text', 1365))).status).toBe(200);
    const c = await offered('/start');
    expect([c.channel, c.language]).toEqual(['telegram', 'en']);
    const m = await reply(c.id, 'Hi! Write whenever you are ready. https://example.org/help');
    const sent = await standIn.waitFor((r) => r.endpoint === 'telegram.sendMessage' && r.body?.text?.startsWith('Hi! Write'));
    wellFormed(sent);
    expect(sent.path).toBe(`/telegram/bot${botToken}/sendMessage`);
    expect(sent.body).toMatchObject({ chat_id: String(chatId), link_preview_options: { is_disabled: true } });
    await deliveryOf(m.id, 'sent');
    k.socket.emit('typing', { conversationId: c.id, typing: true });
    const typing = await standIn.waitFor((r) => r.endpoint === 'telegram.sendChatAction');
    wellFormed(typing);
    expect(typing.body).toEqual({ chat_id: String(chatId), action: 'typing' });
  });

  it('a wrong or missing secret token gets 401; an edited message is ignored; a photo gets the notice in Bulgarian', async () => {
    const before = await storedEvents();
    expect((await post(update('telegram-update-text', 1400), 'wrong')).status).toBe(401);
    expect((await postWebhook(env.url, inbox.id, update('telegram-update-text', 1401), {})).status).toBe(401);
    expect(await storedEvents()).toBe(before);
    expect((await post(update('telegram-update-edited', 1365))).status).toBe(200);
    const n = standIn.requests.length;
    expect((await post(update('telegram-update-photo', 1366))).status).toBe(200);
    const notice = await standIn.waitFor((r) => since(n)(r) && r.endpoint === 'telegram.sendMessage');
    wellFormed(notice);
    expect(notice.body.text).toBe(FILES_NOT_ACCEPTED.bg);
    await drained(inbox.id);
    expect((await db().select().from(messages).where(eq(messages.body, 'Edited text'))).length).toBe(0);
  });

  it('Telegram\'s 429 retry_after is respected', async () => {
    const [contact] = await db().select().from(visitors).where(eq(visitors.inboxId, inbox.id));
    const c = await env.app.conversations.currentForVisitor(contact!.id);
    standIn.plan('telegram.sendMessage', { status: 429, body: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } } });
    const m = await reply(c!.id, 'Slowly.');
    expect((await deliveryOf(m.id, 'sent')).attempts).toBe(2);
    const tries = standIn.of('telegram.sendMessage').filter((r) => r.body?.text === 'Slowly.');
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(950);
  });
});

describe('WhatsApp', () => {
  const accessToken = `EAAW${uid(20)}`;
  const appSecret = `wa-secret-${uid(16)}`;
  const phoneNumberId = String(100000000000000 + Math.floor(Math.random() * 1e9));
  const waId = `3816${String(Date.now()).slice(-8)}`;
  let inbox: AppInboxOf;
  const post = (body: string) => postWebhook(env.url, inbox.id, body, { 'x-hub-signature-256': metaSignature(appSecret, body) });
  const withValue = (name: string, patch: (v: any) => void, phone = phoneNumberId) => {
    const f = fixture(name).payload;
    const v = f.entry[0].changes[0].value;
    v.metadata.phone_number_id = phone;
    patch(v);
    return JSON.stringify(f);
  };

  it('a message reaches a counsellor; the reply goes to /{phone-number-id}/messages; read is shown; another number is ignored', async () => {
    standIn.accept('meta', accessToken);
    inbox = await createAppInbox(env.url, admin, { channel: 'whatsapp', name: 'Helpline on WhatsApp', accessToken, appSecret, phoneNumberId });
    expect((await api(env.url, admin, 'GET', `/api/admin/inboxes/${inbox.id}/app`)).body.phoneNumberId).toBe(phoneNumberId);
    expect((await api(env.url, admin, 'POST', `/api/admin/inboxes/${inbox.id}/app/check`)).body).toMatchObject({ ok: true, accountName: 'Stand-in Helpline' });
    const text = (v: any, id: string, body: string) => {
      v.contacts[0].wa_id = waId;
      v.messages[0] = { ...v.messages[0], from: waId, id, timestamp: String(Math.floor(Date.now() / 1000)), text: { body } };
    };
    expect((await post(withValue('whatsapp-message-text', (v) => text(v, `wamid.${uid(12)}`, 'Other number'), '999'))).status).toBe(200);
    expect((await post(withValue('whatsapp-message-text', (v) => text(v, `wamid.${uid(12)}`, 'I need help')))).status).toBe(200);
    const c = await offered('I need help');
    expect(c.channel).toBe('whatsapp');
    expect((await db().select().from(messages).where(eq(messages.body, 'Other number'))).length).toBe(0);
    // The profile name in the payload is not stored.
    expect(JSON.stringify(await db().select().from(visitors).where(eq(visitors.inboxId, inbox.id)))).not.toContain('NAME');
    const m = await reply(c.id, 'We are here. See https://example.org');
    const sent = await standIn.waitFor((r) => r.endpoint === 'meta.phone/messages' && r.body?.text?.body?.startsWith('We are here'));
    wellFormed(sent);
    expect(sent.path).toBe(`/meta/v21.0/${phoneNumberId}/messages`);
    expect(sent.body).toMatchObject({ to: waId, text: { preview_url: false } });
    expect(sent.headers.authorization).toBe(`Bearer ${accessToken}`);
    await deliveryOf(m.id, 'sent');
    const wamid = await externalIdOf(m.id);
    expect((await post(withValue('whatsapp-status-read', (v) => ((v.statuses[0].id = wamid), (v.statuses[0].recipient_id = waId))))).status).toBe(200);
    await deliveryOf(m.id, 'read');
  });

  it('outside the window WhatsApp answers 131047 (a template is needed): failed with outside_window', async () => {
    const [contact] = await db().select().from(visitors).where(eq(visitors.inboxId, inbox.id));
    const c = await env.app.conversations.currentForVisitor(contact!.id);
    standIn.plan('meta.phone/messages', { status: 400, body: { error: { message: 'Re-engagement message', type: 'OAuthException', code: 131047, error_data: { messaging_product: 'whatsapp', details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.' } } } });
    const m = await reply(c!.id, 'Hello again');
    expect(await deliveryOf(m.id, 'failed')).toMatchObject({ attempts: 1, reason: 'outside_window' });
  });
});

describe('Instagram', () => {
  const accessToken = `EAAI${uid(20)}`;
  const appSecret = `ig-secret-${uid(16)}`;
  it('a message reaches a counsellor; the reply goes by the Send API', async () => {
    standIn.accept('meta', accessToken);
    const inbox = await createAppInbox(env.url, admin, { channel: 'instagram', name: 'Helpline on Instagram', accessToken, appSecret });
    const igsid = `17${String(Date.now())}`;
    const f = fixture('instagram-message-text').payload;
    Object.assign(f.entry[0].messaging[0], { sender: { id: igsid }, timestamp: Date.now(), message: { mid: `aWdfZ${uid(16)}`, text: 'Someone made a fake profile of me' } });
    const body = JSON.stringify(f);
    expect((await postWebhook(env.url, inbox.id, body, { 'x-hub-signature-256': metaSignature(appSecret, body) })).status).toBe(200);
    const c = await offered('Someone made a fake profile of me');
    expect(c.channel).toBe('instagram');
    const m = await reply(c.id, 'That can be reported. Let us do it together.');
    const sent = await standIn.waitFor((r) => r.endpoint === 'meta.me/messages' && r.body?.recipient?.id === igsid);
    wellFormed(sent);
    expect(sent.headers.authorization).toBe(`Bearer ${accessToken}`);
    await deliveryOf(m.id, 'sent');
    // Turned off by the admin: the app is refused (it retries later), nothing is stored.
    expect((await api(env.url, admin, 'PATCH', `/api/admin/inboxes/${inbox.id}`, { enabled: false })).status).toBe(200);
    const before = await storedEvents();
    const off = await postWebhook(env.url, inbox.id, body, { 'x-hub-signature-256': metaSignature(appSecret, body) });
    expect([off.status, off.body.error.code]).toEqual([403, 'inbox_disabled']);
    expect(await storedEvents()).toBe(before);
  });
});
