// Postgres becomes unreachable and comes back. The machine's shared Postgres is never stopped: the
// instance reaches it through a TCP proxy inside this test, and cutting the proxy (closing every
// connection, refusing new ones) is the outage as the instance sees it. During the outage every
// message is refused with a retryable 'unavailable' error (never acknowledged and then lost); within
// 10 s of Postgres being reachable again the service answers, and retried messages are stored once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createStaff, createTestDatabase, deleteRedisPrefix, randomUUID, startInstance, uid, type TestServer } from '../helpers.js';
import { joinedChat, tcpProxy, type TcpProxy } from './support.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let proxy: TcpProxy;
let server: TestServer;
const prefix = `t${uid()}`;

beforeAll(async () => {
  db = await createTestDatabase();
  const u = new URL(db.url);
  proxy = await tcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
  u.port = String(proxy.port);
  server = await startInstance({ databaseUrl: u.toString(), redisPrefix: prefix, env: { AUTO_ACCEPT: 'true', DATABASE_POOL_SIZE: '4' } });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await proxy?.close();
  await db?.drop();
  await deleteRedisPrefix(prefix);
});

describe('Postgres unreachable', () => {
  it('refuses messages with a retryable error, never acknowledges one it did not store, and recovers within 10 s', async () => {
    const staff = await createStaff(server.app, 'counsellor');
    const { agent, child, conversationId } = await joinedChat(server.url, staff);
    expect((await call(child, 'message:send', { conversationId, clientMsgId: 'before', body: 'before' })).ok).toBe(true);

    proxy.cut();
    const during: { clientMsgId: string; ok: boolean }[] = [];
    for (let i = 0; i < 3; i++) {
      const clientMsgId = `during-${i}`;
      const r = await call(child, 'message:send', { conversationId, clientMsgId, body: `during ${i}` }, 20_000);
      if (!r.ok) expect(r.error).toMatchObject({ code: 'unavailable', retryable: true });
      during.push({ clientMsgId, ok: r.ok });
    }
    // Nothing could have been stored while every connection was cut.
    expect(during.every((d) => !d.ok)).toBe(true);
    expect(child.connected).toBe(true);

    proxy.restore();
    const restoredAt = Date.now();
    // The widget retries with the same ids until the service answers.
    let firstOk = 0;
    for (const d of during) {
      for (;;) {
        const r = await call(child, 'message:send', { conversationId, clientMsgId: d.clientMsgId, body: `during ${d.clientMsgId.slice(7)}` }, 20_000);
        if (r.ok) break;
        expect(r.error).toMatchObject({ code: 'unavailable', retryable: true });
        expect(Date.now() - restoredAt).toBeLessThan(10_000);
        await new Promise((res) => setTimeout(res, 200));
      }
      firstOk ||= Date.now();
    }
    expect(firstOk - restoredAt).toBeLessThan(10_000);
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);

    const history = await server.app.conversations.history(conversationId, 0);
    expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
    for (const d of during) expect(history.filter((m) => m.clientMsgId === d.clientMsgId)).toHaveLength(1);
    expect(history.filter((m) => m.clientMsgId === 'before')).toHaveLength(1);
    // Sending resumes normally.
    expect((await call(agent, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'back' })).ok).toBe(true);
    child.disconnect();
    agent.disconnect();
  }, 60_000);
});
