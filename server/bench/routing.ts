// `pnpm bench routing`: 2 server processes on the real Postgres and Redis, 100 counsellors, 2,000
// conversations. Offer latency runs from the moment a waiting conversation and a free eligible
// counsellor both exist to the offer reaching the counsellor's socket. The conversation exists from its
// insert in Postgres: its `enqueuedAt` (Postgres' clock at the start of the insert, so before it is
// committed and visible, and cut to whole milliseconds) on this same machine. The counsellor is free
// from the moment their previous conversation's end is sent. Both moments are taken no later than the
// truth, so the figure is an upper bound. The same figure counted from the child's start request (its
// trip to the server and the insert included) is printed beside it. Last line: one JSON object.
import { hash } from '@node-rs/argon2';
import postgres from 'postgres';
import type { Offer } from '@helpline/shared';
import { agentClient, call, connected, createTestDatabase, deleteRedisPrefix, login, uid, widgetClient, type AgentClient, type WidgetClient } from '../test/helpers.js';
import { spawnInstance, type InstanceProcess } from '../test/processes.js';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2);
const COUNSELLORS = Number(process.env.BENCH_COUNSELLORS ?? 100);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 2000);
const CAPACITY = 2;
// 20 new chats per second is far above any national helpline's peak; past ~40/s on this 2-core machine
// (two instances, Postgres and the bench sharing it) the offers queue up behind CPU, not behind routing.
const ARRIVALS_PER_S = Number(process.env.BENCH_ARRIVALS_PER_S ?? 20);
const HOLD_MS = [40, 120];

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (...a: unknown[]) => console.error('[bench routing]', ...a);

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const prefix = `b${uid()}`;
  const instances: InstanceProcess[] = [];
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  try {
    const env = { OFFER_TIMEOUT_MS: '30000', WRAPUP_MS: '0', WRAPUP_URGENT_MS: '0', SWEEP_INTERVAL_MS: '5000', VISITOR_GRACE_MS: '600000', MESSAGE_RATE_PER_10S: '100000', WIDGET_CONNECTIONS_PER_IP_PER_MIN: '1000000', LOGINS_PER_IP_PER_MIN: '1000000', LOG_LEVEL: 'error' };
    for (let i = 0; i < INSTANCES; i++) instances.push(await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env, nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) }));
    log(`${INSTANCES} instances up`);

    const pw = 'bench-password-1';
    const passwordHash = await hash(pw, { algorithm: 2 });
    const staff: { id: string; email: string }[] = [];
    for (let i = 0; i < COUNSELLORS; i++) {
      const email = `bench-c${i}-${uid(2)}@bench.local`;
      const [row] = await sql`insert into staff_users (email, name, role, password_hash, languages, capacity)
        values (${email}, ${'Counsellor ' + i}, 'counsellor', ${passwordHash}, '{bg,en}'::text[], ${CAPACITY}) returning id`;
      staff.push({ id: row!.id, email });
    }

    const startSentAt = new Map<string, number>();
    const earlyOffers = new Map<string, { at: number; freeAt: number }>();
    const pendingStart: number[] = [];
    // A double offer is a conversation live at two counsellors at once: checked in Postgres while the
    // run goes on, and on the clients as two successful accepts of one conversation.
    const acceptedBy = new Map<string, string>();
    let doubleAccepts = 0;
    let liveDoubles = 0;
    const latencies: number[] = [];
    const fromRequest: number[] = [];
    let capacityViolations = 0;
    let accepted = 0;

    const agents: AgentClient[] = [];
    for (let i = 0; i < staff.length; i++) {
      const url = instances[i % INSTANCES]!.url;
      const who = await login(url, staff[i]!.email, pw);
      const sock = agentClient(url, who);
      let live = 0;
      let freeAt = 0;
      sock.on('offer:new', (o: Offer) => {
        const now = performance.now();
        live++;
        if (live > CAPACITY) capacityViolations++;
        const cid = o.conversation.id;
        const exists = Date.parse(o.conversation.enqueuedAt) - performance.timeOrigin;
        latencies.push(now - Math.max(exists, freeAt));
        const started = startSentAt.get(cid);
        if (started !== undefined) fromRequest.push(now - Math.max(started, freeAt));
        // The offer beat the start's acknowledgement (which carries the id): settle it when it comes.
        else earlyOffers.set(cid, { at: now, freeAt });
        void call(sock, 'offer:accept', { offerId: o.offerId }, 60_000).then((r) => {
          if (!r.ok) {
            live--;
            return;
          }
          accepted++;
          const prev = acceptedBy.get(cid);
          if (prev && prev !== staff[i]!.id) doubleAccepts++;
          acceptedBy.set(cid, staff[i]!.id);
          setTimeout(() => {
            // Free from the moment the end is sent: the server cannot offer before it processed it.
            live--;
            freeAt = performance.now();
            void call(sock, 'conversation:end', { conversationId: cid }, 60_000).catch((e) => log('end failed', (e as Error).message));
          }, HOLD_MS[0]! + Math.random() * (HOLD_MS[1]! - HOLD_MS[0]!));
        }, (e) => {
          live--;
          log('accept failed', (e as Error).message);
        });
      });
      await connected(sock);
      const r = await call(sock, 'agent:status', { status: 'available' });
      if (!r.ok) throw new Error(`status: ${JSON.stringify(r.error)}`);
      agents.push(sock);
    }
    log(`${COUNSELLORS} counsellors available`);

    const children: WidgetClient[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const [r] = await sql`select count(*)::int as n from (select conversation_id from assignments where status in ('offered','accepted') group by 1 having count(*) > 1) t`;
        liveDoubles += r!.n;
        await sleep(200);
      }
    })();
    const t0 = performance.now();
    for (let i = 0; i < CONVERSATIONS; i++) {
      const due = t0 + (i * 1000) / ARRIVALS_PER_S;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const sock = widgetClient(instances[i % INSTANCES]!.url);
      children.push(sock);
      void (async () => {
        await connected(sock);
        const sent = performance.now();
        pendingStart.push(sent);
        const r = await call(sock, 'conversation:start', { language: i % 2 ? 'bg' : 'en' }, 60_000);
        if (r.ok) {
          const cid = r.data.conversation.id;
          startSentAt.set(cid, sent);
          const early = earlyOffers.get(cid);
          if (early) fromRequest.push(early.at - Math.max(sent, early.freeAt));
        }
        else log('start refused', r.error.code);
      })().catch((e) => log('start failed', (e as Error).message));
    }
    log('all conversations started; draining');
    // Offers can arrive before the start's ack (which carries the id): they are matched after the fact.
    const deadline = performance.now() + 60_000;
    while (accepted < CONVERSATIONS && performance.now() < deadline) await sleep(200);
    await sleep(500);
    watching = false;
    await watcher;

    const [dbl] = await sql`select count(*)::int as n from (select conversation_id from assignments where status in ('offered','accepted') group by 1 having count(*) > 1) t`;
    const [never] = await sql`select count(*)::int as n from conversations c where not exists (select 1 from assignments a where a.conversation_id = c.id and a.status in ('accepted','ended'))`;
    const doubleOffers = doubleAccepts + liveDoubles + dbl!.n;
    latencies.sort((a, b) => a - b);
    const result = {
      bench: 'routing',
      instances: INSTANCES,
      counsellors: COUNSELLORS,
      conversations: CONVERSATIONS,
      offer_p50_ms: Math.round(pct(latencies, 50) * 10) / 10,
      offer_p99_ms: Math.round(pct(latencies, 99) * 10) / 10,
      double_offers: doubleOffers,
      capacity_violations: capacityViolations,
      lost: never!.n,
    };
    log(`offers measured: ${latencies.length}, accepted: ${accepted}, max latency ${Math.round(latencies[latencies.length - 1] ?? 0)} ms`);
    fromRequest.sort((a, b) => a - b);
    log(`counted from the child's start request instead (${fromRequest.length}): p50 ${pct(fromRequest, 50).toFixed(1)} ms, p99 ${pct(fromRequest, 99).toFixed(1)} ms`);
    for (const c of children) c.disconnect();
    for (const a of agents) a.disconnect();
    if (process.env.BENCH_VERBOSE) for (const i of instances) console.error(i.output.join('').slice(-4000));
    console.log(JSON.stringify(result));
  } catch (err) {
    for (const i of instances) console.error(i.output.join('').slice(-3000));
    throw err;
  } finally {
    await Promise.all(instances.map((i) => i.kill('SIGTERM')));
    await sql.end();
    await db.drop();
    await deleteRedisPrefix(prefix);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
