// Postgres fails under a running conversation, two ways.
//
// 1. It crashes. The instance runs on a private cluster this test creates (initdb) and stops with
//    `pg_ctl stop -m immediate` (every backend killed, no checkpoint: recovery on restart) while a child
//    and a counsellor send steadily, and started again 10 s later on the same data folder and port.
//    Proven: no send is acknowledged while Postgres is down, each is refused with { code:
//    'unavailable', retryable: true }; the clients' retries (same clientMsgId) go through within 5 s of
//    the restart; every acknowledged message is in Postgres exactly once, with its seq, gapless; both parties
//    hold exactly what is stored, received once each and in order; a child who could not start during
//    the outage is routed after it (a counsellor gets `offer:new`, accepts, the child sees her join).
//
// 2. Its answers are lost (a network partition after the request went out: a TCP proxy forwards the
//    instance's statements and drops the replies, then cuts every connection). The message is
//    committed but its sender was told 'unavailable'; the resend is answered with the stored message,
//    and the counsellor, who never got it, receives it then. A crash hits this case only by chance.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connected, createTestDatabase, deleteRedisPrefix, eventually, next, randomUUID, uid, widgetClient } from '../helpers.js';
import { spawnInstance, type InstanceProcess } from '../processes.js';
import { counsellorJoined, counsellorOnline, createStaffIn, findPostgresBin, joinedChat, privatePostgres, queryDb, tcpProxy, type PrivatePostgres, type TcpProxy } from './support.js';
import { expectConverged, MESSAGES_SQL, Party, Sender, settled, type StoredRow } from './traffic.js';

const bin = findPostgresBin();
const env = { DATABASE_POOL_SIZE: '4', MESSAGE_RATE_PER_10S: '1000' };
const OUTAGE_MS = 10_000;
/** The service answers again this soon after Postgres is back (its pools retry every second at most). */
const RECOVERY_MS = 5_000;

describe.skipIf(!bin)('Postgres crashes and restarts (needs initdb and pg_ctl: none on the PATH or in /usr/lib/postgresql/*/bin)', () => {
  let pg: PrivatePostgres;
  let inst: InstanceProcess;
  const prefix = `t${uid()}`;

  beforeAll(async () => {
    pg = await privatePostgres(bin!);
    inst = await spawnInstance({ databaseUrl: pg.url, redisPrefix: prefix, env });
  }, 60_000);
  afterAll(async () => {
    await inst?.kill('SIGKILL');
    await pg?.close();
    await deleteRedisPrefix(prefix);
  });

  it('refuses sends while it is down, stores each retried one once, and routes again after the restart', async () => {
    const ana = await createStaffIn(pg.url, 'counsellor', { name: 'Ana', capacity: 2 });
    const { agent } = await counsellorOnline(inst.url, ana);
    const child = widgetClient(inst.url);
    await connected(child);
    const offer = next(agent, 'offer:new');
    const started = await call(child, 'conversation:start', { language: 'en' });
    if (!started.ok) throw new Error(`start refused: ${started.error.code}`);
    const conversationId = started.data.conversation.id as string;
    expect(await call(agent, 'offer:accept', { offerId: (await offer).offerId })).toMatchObject({ ok: true });
    await counsellorJoined(child, conversationId, { name: 'Ana' });
    // The child who will try to start during the outage connects now (a handshake needs Postgres).
    const late = widgetClient(inst.url);
    await connected(late);

    const parties = [new Party('child', 'visitor', conversationId, child), new Party('Ana', 'staff', conversationId, agent)];
    for (const p of parties) await p.resume();
    const senders = parties.map((p) => new Sender(p, { everyMs: 20, retryMs: 100 }));
    for (const s of senders) while (s.party.acked.size < 10) await s.nextAck();

    await pg.crash();
    const downAt = Date.now();
    const refusedBefore = parties.map((p) => p.refused.length);
    const early = await call(late, 'conversation:start', { language: 'en' });
    expect(early).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true } });
    // Down for OUTAGE_MS while the senders keep trying; each has been refused a few times.
    await new Promise((r) => setTimeout(r, Math.max(0, downAt + OUTAGE_MS - Date.now())));
    const upAt = Date.now();
    await pg.start();
    const upAgain = Date.now();

    // (An answer sent just before the crash may be read a few ms after it.)
    const whileDown = parties.flatMap((p) => p.ackTimes.filter((t) => t > downAt + 200 && t < upAt));
    expect(whileDown, 'acknowledged while Postgres was down').toEqual([]);
    for (const [i, p] of parties.entries()) expect(p.refused.length - refusedBefore[i]!, `${p.name} was refused`).toBeGreaterThanOrEqual(3);
    for (const p of parties) for (const e of p.refused) expect(e).toMatchObject({ code: 'unavailable', retryable: true });
    // The retries go through soon after Postgres accepts connections again.
    await Promise.all(senders.map((s) => s.nextAck()));
    expect(Date.now() - upAgain, 'first acknowledgements after the restart').toBeLessThan(RECOVERY_MS);

    // The child who could not start is routed now: an offer, an accept, the child sees Ana join.
    const offer2 = next(agent, 'offer:new', () => true, RECOVERY_MS);
    let second = await call(late, 'conversation:start', { language: 'en' });
    while (!second.ok && Date.now() - upAgain < RECOVERY_MS) {
      await new Promise((r) => setTimeout(r, 200));
      second = await call(late, 'conversation:start', { language: 'en' });
    }
    if (!second.ok) throw new Error(`no conversation could start after the restart: ${second.error.code}`);
    const id2 = second.data.conversation.id as string;
    const o2 = await offer2;
    expect(o2.conversation.id).toBe(id2);
    expect(await call(agent, 'offer:accept', { offerId: o2.offerId })).toMatchObject({ ok: true, data: { conversation: { id: id2, state: 'active' } } });
    await counsellorJoined(late, id2, { name: 'Ana' });
    expect(Date.now() - upAgain, 'a new conversation routed after the restart').toBeLessThan(RECOVERY_MS);

    for (const s of senders) while (s.party.acked.size < 40) await s.nextAck();
    for (const s of senders) await s.stop();
    const rows = await settled(() => pg.query<StoredRow>(MESSAGES_SQL, [conversationId]), parties);
    expectConverged(rows, parties, senders, { ordered: true });
    for (const s of [child, late, agent]) s.disconnect();
  }, 60_000);
});

describe('Postgres answers are lost (partition after the request went out)', () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let proxy: TcpProxy;
  let inst: InstanceProcess;
  const prefix = `t${uid()}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    const u = new URL(db.url);
    proxy = await tcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
    u.port = String(proxy.port);
    inst = await spawnInstance({ databaseUrl: u.toString(), redisPrefix: prefix, env: { ...env, AUTO_ACCEPT: 'true' } });
  }, 60_000);
  afterAll(async () => {
    await inst?.kill('SIGKILL');
    await proxy?.close();
    await db?.drop();
    await deleteRedisPrefix(prefix);
  });

  it('answers the resend of a committed message with it, and delivers it to the counsellor', async () => {
    const staff = await createStaffIn(db.url, 'counsellor', { name: 'Ana' });
    const { agent, child, conversationId } = await joinedChat(inst.url, staff);
    const parties = [new Party('child', 'visitor', conversationId, child), new Party('Ana', 'staff', conversationId, agent)];
    for (const p of parties) await p.resume();
    const [childP] = parties as [Party, Party];
    // One message first: the writer's statement is then prepared on its connection, and the next one
    // is sent whole without waiting for an answer (a first one would wait for its Describe reply).
    const warm = await call(child, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'hello' });
    if (warm.ok) childP.ack(warm.data);

    proxy.dropReplies();
    const m = { conversationId, clientMsgId: randomUUID(), body: 'are you there?' };
    childP.sends.set(m.clientMsgId, 1);
    const first = call(child, 'message:send', m, 20_000);
    // Committed: the row is there, read past the proxy.
    const [row] = await eventually(async () => {
      const r = await queryDb<StoredRow>(db.url, MESSAGES_SQL, [conversationId]);
      return r.some((x) => x.client_msg_id === m.clientMsgId) ? r.filter((x) => x.client_msg_id === m.clientMsgId) : null;
    }, 10_000, 50);
    proxy.cut();
    expect(await first).toMatchObject({ ok: false, error: { code: 'unavailable', retryable: true } });
    proxy.restore();

    const again = await eventually(async () => {
      childP.sends.set(m.clientMsgId, (childP.sends.get(m.clientMsgId) ?? 0) + 1);
      const r = await call(child, 'message:send', m);
      return r.ok ? r : null;
    }, 10_000, 200);
    expect({ id: again.data.id, seq: again.data.seq }).toEqual({ id: row!.id, seq: row!.seq });
    childP.ack(again.data);
    const reply = await call(agent, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'yes, I am here' });
    expect(reply.ok).toBe(true);
    if (reply.ok) parties[1]!.ack(reply.data);

    const rows = await settled(() => queryDb<StoredRow>(db.url, MESSAGES_SQL, [conversationId]), parties);
    expectConverged(rows, parties, []);
    for (const s of [child, agent]) s.disconnect();
  }, 60_000);
});
