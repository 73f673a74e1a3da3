// Redis goes away for 10 s under a running conversation and comes back, either empty (SIGKILL, a new
// redis-server: every queue, timer, counter and stream lost) or with its data (SIGTERM, restarted on
// its append-only file). The instance runs on a private redis-server started by this test; the
// machine's shared Redis is never touched.
// Proven, both ways: a chat on the instance goes on through the outage and every acknowledged message
// is stored once and held by both sides; an offer made just before the outage, whose timeout job lived
// in Redis, expires (from its deadline in Postgres) and the conversation is offered again, and a
// counsellor receives `offer:new`, accepts it, and the child sees her join; a child who starts during
// the outage is refused with a typed retryable error or started, and is routed the same way after it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offer } from '@helpline/shared';
import { agentClient, call, connected, createTestDatabase, login, next, uid, widgetClient, type AgentClient } from '../helpers.js';
import { spawnInstance, type InstanceProcess } from '../processes.js';
import { counsellorJoined, counsellorOnline, createStaffIn, privateRedis, queryDb, type PrivateRedis } from './support.js';
import { expectConverged, MESSAGES_SQL, Party, Sender, settled, type StoredRow } from './traffic.js';

const OUTAGE_MS = 10_000;
/** Time for the routing to converge once Redis is back: an offer timeout (2 s), a sweep, an accept. */
const CONVERGE_MS = 15_000;

/** From now on, every offer of a conversation not in `skip` is accepted; `takenBy(id)` says by whom. */
function acceptOffers(agents: { name: string; socket: AgentClient }[], skip: string[]) {
  const done = new Map<string, string>();
  const waiters = new Map<string, (name: string) => void>();
  for (const a of agents) {
    a.socket.on('offer:new', (o: Offer) => {
      const id = o.conversation.id;
      if (skip.includes(id)) return;
      void call(a.socket, 'offer:accept', { offerId: o.offerId }).then((r) => {
        if (!r.ok || r.data.conversation.id !== id || r.data.conversation.state !== 'active') return;
        done.set(id, a.name);
        waiters.get(id)?.(a.name);
      });
    });
  }
  return (id: string): Promise<string> => (done.has(id) ? Promise.resolve(done.get(id)!) : new Promise((r) => waiters.set(id, r)));
}

for (const how of ['empty', 'with its data'] as const) {
  describe(`Redis down for 10 s, back ${how}`, () => {
    let db: Awaited<ReturnType<typeof createTestDatabase>>;
    let redis: PrivateRedis;
    let inst: InstanceProcess;

    beforeAll(async () => {
      db = await createTestDatabase();
      redis = await privateRedis();
      inst = await spawnInstance({
        databaseUrl: db.url,
        redisPrefix: `t${uid()}`,
        env: { REDIS_URL: redis.url, DATABASE_POOL_SIZE: '4', MAX_MISSED_OFFERS: '100', MESSAGE_RATE_PER_10S: '1000' },
      });
    }, 60_000);
    afterAll(async () => {
      await inst?.kill('SIGKILL');
      await redis?.close();
      await db?.drop();
    });

    it('keeps the chat going, loses nothing acknowledged, and offers and routes again', async () => {
      const ana = await createStaffIn(db.url, 'counsellor', { name: 'Ana', capacity: 2 });
      const { agent: anaAgent } = await counsellorOnline(inst.url, ana);
      const child1 = widgetClient(inst.url);
      await connected(child1);
      const offer1 = next<Offer>(anaAgent, 'offer:new');
      const s1 = await call(child1, 'conversation:start', { language: 'en' });
      if (!s1.ok) throw new Error(`start refused: ${s1.error.code}`);
      const c1 = s1.data.conversation.id as string;
      expect(await call(anaAgent, 'offer:accept', { offerId: (await offer1).offerId })).toMatchObject({ ok: true });
      await counsellorJoined(child1, c1, { name: 'Ana' });
      const parties = [new Party('child', 'visitor', c1, child1), new Party('Ana', 'staff', c1, anaAgent)];
      for (const p of parties) await p.resume();
      const senders = parties.map((p) => new Sender(p, { everyMs: 30 }));
      for (const s of senders) while (s.party.acked.size < 5) await s.nextAck();

      // A second child's conversation is offered to Ana, who does not answer; Redis goes at once, with
      // the offer's timeout job in it.
      const child2 = widgetClient(inst.url);
      const child3 = widgetClient(inst.url);
      await Promise.all([connected(child2), connected(child3)]);
      const pending = next<Offer>(anaAgent, 'offer:new');
      const s2 = await call(child2, 'conversation:start', { language: 'en' });
      if (!s2.ok) throw new Error(`start refused: ${s2.error.code}`);
      const c2 = s2.data.conversation.id as string;
      const lostTimer = await pending;
      expect(lostTimer.conversation.id).toBe(c2);
      if (how === 'empty') await redis.kill();
      else await redis.stop();
      const downAt = Date.now();
      const ackedAtOutage = parties.map((p) => p.acked.size);

      // A third child starts during the outage: her conversation is created and waits (its routing
      // job cannot be queued; the sweep routes it from Postgres).
      const s3 = await call(child3, 'conversation:start', { language: 'en' });
      if (!s3.ok) throw new Error(`start refused during the outage: ${s3.error.code}`);
      const c3 = s3.data.conversation.id as string;
      await new Promise((r) => setTimeout(r, Math.max(0, downAt + OUTAGE_MS - Date.now())));
      // The chat went on without Redis.
      for (const [i, p] of parties.entries()) expect(p.acked.size - ackedAtOutage[i]!, `${p.name}'s messages acknowledged during the outage`).toBeGreaterThan(10);
      await redis.start({ empty: how === 'empty' });

      // From now on whoever is offered the two waiting conversations takes them; Bo comes online.
      const bo = await createStaffIn(db.url, 'counsellor', { name: 'Bo', capacity: 2 });
      const boAgent = agentClient(inst.url, await login(inst.url, bo.email, bo.password));
      await connected(boAgent);
      const takenBy = acceptOffers(
        [
          { name: 'Ana', socket: anaAgent },
          { name: 'Bo', socket: boAgent },
        ],
        [c1],
      );
      expect(await call(boAgent, 'agent:status', { status: 'available' })).toMatchObject({ ok: true });
      const [by2, by3] = await Promise.race([
        Promise.all([takenBy(c2), takenBy(c3)]),
        new Promise<never>((_, rej) => setTimeout(() => rej(new Error('the waiting conversations were not routed after Redis came back')), CONVERGE_MS)),
      ]);
      await counsellorJoined(child2, c2, { name: by2 });
      await counsellorJoined(child3, c3, { name: by3 });
      // The offer whose timer was in Redis expired (from Postgres) before the conversation went on.
      const [first] = await queryDb<{ status: string }>(db.url, 'select status from assignments where id = $1', [lostTimer.offerId]);
      expect(first?.status).toBe('expired');

      for (const s of senders) await s.stop();
      const rows = await settled(() => queryDb<StoredRow>(db.url, MESSAGES_SQL, [c1]), parties);
      expectConverged(rows, parties, senders, { ordered: true, appendResentByRedis: true });
      const states = await queryDb<{ id: string; state: string }>(db.url, 'select id, state from conversations');
      expect(Object.fromEntries(states.map((r) => [r.id, r.state]))).toEqual({ [c1]: 'active', [c2]: 'active', [c3]: 'active' });
      for (const s of [child1, child2, child3, anaAgent, boAgent]) s.disconnect();
    }, 60_000);
  });
}
