// Quick exit ends the visitor everywhere (issue 15, item 3): every socket of that visitor, on every
// instance, is told and disconnected; a socket that still holds the visitor in memory (an exit whose
// broadcast did not reach it) is refused; the ended token opens nothing again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connected, createTestDatabase, deleteRedisPrefix, next, startInstance, uid, widgetClient, type TestServer, type WidgetClient } from '../helpers.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
const prefix = `t${uid()}`;
let one: TestServer;
let two: TestServer;

beforeAll(async () => {
  db = await createTestDatabase();
  one = await startInstance({ databaseUrl: db.url, redisPrefix: prefix });
  two = await startInstance({ databaseUrl: db.url, redisPrefix: prefix });
}, 60_000);
afterAll(async () => {
  await two?.close();
  await one?.close();
  await db?.drop();
  await deleteRedisPrefix(prefix);
});

/** A child with a conversation and one message in it, on `url`. */
async function child(url: string) {
  const sock = widgetClient(url);
  await connected(sock);
  const started = await call(sock, 'conversation:start', { language: 'en' });
  if (!started.ok) throw new Error('start failed');
  const conversationId = started.data.conversation.id as string;
  const body = `a secret ${uid(4)}`;
  expect((await call(sock, 'message:send', { conversationId, clientMsgId: 'm1', body })).ok).toBe(true);
  return { sock, token: started.data.token as string, conversationId, body };
}

/** Resolves with the disconnect reason, or 'still connected' after `ms`. */
function disconnection(s: WidgetClient, ms = 5_000): Promise<string> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve('still connected'), ms);
    s.once('disconnect', (reason) => {
      clearTimeout(t);
      resolve(reason);
    });
  });
}

async function expectNoAccess(url: string, token: string, body: string): Promise<void> {
  const again = widgetClient(url, { token });
  await connected(again);
  expect(await call(again, 'conversation:resume', { afterSeq: 0 })).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  // Starting makes a new visitor with a new token and an empty transcript.
  const fresh = await call(again, 'conversation:start', { language: 'en' });
  expect(fresh.ok).toBe(true);
  if (!fresh.ok) return;
  expect(fresh.data.token).not.toBe(token);
  const resumed = await call(again, 'conversation:resume', { afterSeq: 0 });
  expect(JSON.stringify(resumed)).not.toContain(body);
  again.disconnect();
}

describe('quick exit', () => {
  it('ends the visitor’s other sockets on the same instance', async () => {
    const a = await child(one.url);
    const b = widgetClient(one.url, { token: a.token });
    await connected(b);
    expect(JSON.stringify(await call(b, 'conversation:resume', { afterSeq: 0 }))).toContain(a.body);

    const told = next(b, 'session:ended');
    const gone = disconnection(b);
    expect(await call(a.sock, 'session:exit', {})).toMatchObject({ ok: true });
    expect(await told).toEqual({ reason: 'exit' });
    expect(await gone).toBe('io server disconnect');
    await expectNoAccess(one.url, a.token, a.body);
    a.sock.disconnect();
  });

  it('ends the visitor’s sockets on every instance', async () => {
    const a = await child(one.url);
    const b = widgetClient(two.url, { token: a.token });
    await connected(b);
    const told = next(b, 'session:ended');
    const gone = disconnection(b);
    expect(await call(a.sock, 'session:exit', {})).toMatchObject({ ok: true });
    expect(await told).toEqual({ reason: 'exit' });
    expect(await gone).toBe('io server disconnect');
    await expectNoAccess(two.url, a.token, a.body);
    a.sock.disconnect();
  });

  it('refuses a socket that still holds an ended visitor', async () => {
    // The visitor ends without this socket being told (as when the broadcast of an exit elsewhere was
    // lost): what the socket holds in memory must open neither the transcript nor a conversation.
    const endQuietly = async (c: Awaited<ReturnType<typeof child>>) => {
      const visitorId = (await two.app.conversations.get(c.conversationId)).visitorId!;
      await two.app.conversations.endVisitor(visitorId);
      return visitorId;
    };
    const a = await child(two.url);
    await endQuietly(a);
    const resumed = await call(a.sock, 'conversation:resume', { afterSeq: 0 });
    expect(resumed).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(JSON.stringify(resumed)).not.toContain(a.body);

    // Starting makes a new visitor, not another conversation of the ended one.
    const b = await child(two.url);
    const ended = await endQuietly(b);
    const started = await call(b.sock, 'conversation:start', { language: 'en' });
    expect(started.ok).toBe(true);
    if (started.ok) {
      expect(started.data.token).not.toBe(b.token);
      expect((await two.app.conversations.get(started.data.conversation.id)).visitorId).not.toBe(ended);
    }
    a.sock.disconnect();
    b.sock.disconnect();
  });
});
