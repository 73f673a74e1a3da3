// Redis dies and comes back empty. The instance runs on a private redis-server started by this test
// (the machine's shared Redis is never touched); it is killed with SIGKILL and a new, empty one is
// started on the same port. An offer whose timeout job lived only in Redis must still expire and the
// conversation must be offered again (the routing sweep rebuilds from Postgres); new conversations
// and messages work again; no conversation is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, call, connected, createTestDatabase, eventually, login, next, uid, widgetClient } from '../helpers.js';
import { spawnInstance, type InstanceProcess } from '../processes.js';
import { createStaffIn, privateRedis, type PrivateRedis } from './support.js';
import { openDatabase, execRows, sql } from '../../src/db/client.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let redis: PrivateRedis;
let inst: InstanceProcess;

beforeAll(async () => {
  db = await createTestDatabase();
  redis = await privateRedis();
  inst = await spawnInstance({
    databaseUrl: db.url,
    redisPrefix: `t${uid()}`,
    env: { REDIS_URL: redis.url, DATABASE_POOL_SIZE: '4', MAX_MISSED_OFFERS: '100' },
  });
}, 60_000);

afterAll(async () => {
  await inst?.kill('SIGKILL');
  await redis?.close();
  await db?.drop();
});

describe('Redis restarted empty', () => {
  it('offers waiting conversations again and keeps every conversation', async () => {
    const ana = await createStaffIn(db.url, 'counsellor', { name: 'Ana', capacity: 1 });
    const ana1 = await login(inst.url, ana.email, ana.password);
    const agentA = agentClient(inst.url, ana1);
    await connected(agentA);
    await call(agentA, 'agent:hello');
    await call(agentA, 'agent:status', { status: 'available' });

    const child = widgetClient(inst.url);
    await connected(child);
    const offered = next(agentA, 'offer:new');
    const started = await call(child, 'conversation:start', { language: 'en' });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    const conversationId = started.data.conversation.id as string;
    expect((await offered).conversation.id).toBe(conversationId);

    // Ana does not answer; the offer's timeout job is in Redis, which now dies and comes back empty.
    await redis.kill();
    await redis.start({ empty: true });

    // Bo comes online: the expired offer is found from Postgres and the conversation offered to Bo.
    const bo = await createStaffIn(db.url, 'counsellor', { name: 'Bo' });
    const bo1 = await login(inst.url, bo.email, bo.password);
    const agentB = agentClient(inst.url, bo1);
    await connected(agentB);
    const reoffer = next(agentB, 'offer:new', (o: any) => o.conversation.id === conversationId, 20_000);
    await call(agentB, 'agent:hello');
    expect(await call(agentB, 'agent:status', { status: 'available' })).toMatchObject({ ok: true });
    const offer = await reoffer;
    const acc = await call(agentB, 'offer:accept', { offerId: offer.offerId });
    expect(acc).toMatchObject({ ok: true, data: { conversation: { id: conversationId, state: 'active' } } });

    // Messages flow again (rate limits and fan-out live in the new Redis).
    const atBo = next(agentB, 'message:new', (m: any) => m.body === 'still there?');
    const sent = await eventually(async () => {
      const r = await call(child, 'message:send', { conversationId, clientMsgId: 'after-redis', body: 'still there?' });
      return r.ok ? r : null;
    }, 15_000, 200);
    expect(sent.ok).toBe(true);
    await atBo;

    // A conversation started after the restart is routed too.
    const child2 = widgetClient(inst.url);
    await connected(child2);
    const second = await call(child2, 'conversation:start', { language: 'en' });
    expect(second.ok).toBe(true);

    const database = await openDatabase({ url: db.url, poolSize: 1 });
    try {
      const rows = await execRows<{ id: string; state: string }>(database.db, sql`select id, state from conversations`);
      expect(rows).toHaveLength(2);
      expect(rows.find((r) => r.id === conversationId)?.state).toBe('active');
    } finally {
      await database.close();
    }
    for (const s of [child, child2, agentA, agentB]) s.disconnect();
  }, 60_000);
});
