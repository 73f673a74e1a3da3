// `pnpm bench routing`: the router driven to saturation. 2 server processes on the real Postgres and
// Redis; 100 counsellors (capacity 2: 200 slots) as real socket.io clients spread over both, each
// accepting its own offers (auto-accept off; 5 % declined), holding each conversation 5-15 s, then
// ending it (WRAPUP_MS 0: the slot frees at the end). Children arrive as real widget sockets: first
// one per slot, then faster than the slots can serve (1.3 x slots / mean hold), for BENCH_SECONDS;
// then arrivals stop and the queue drains.
//
// Checks, each able to fail (see docs/security.md, Benchmarks):
// - double offers and conversations held by two, from what the counsellors' sockets receive
//   (routing-ledger.ts); capacity from the same view and from Postgres sampled every 200 ms;
// - the load: the time-weighted share of busy slots and the share of samples with children waiting,
//   over the loaded part of the run (after the warm-up, until arrivals stop); below 90 % is flagged;
// - every start accounted for: routed (accepted by a counsellor), still waiting, refused with a code,
//   or lost (no acknowledgement, or acknowledged but never routed).
// Offer latency: from the moment a waiting conversation and a free counsellor both exist (its insert
// in Postgres, or the counsellor's slot freeing, whichever is later) to the offer reaching the
// counsellor's socket; split into children who found a slot free and those who queued (then the slot
// freeing starts the clock, and the queue wait is reported apart). The last line is one JSON object;
// the exit code is 1 when a check fails or the load was not reached.
import { hash } from '@node-rs/argon2';
import postgres from 'postgres';
import type { Offer, StaffConversation } from '@helpline/shared';
import { agentClient, call, connected, createTestDatabase, deleteRedisPrefix, login, uid, widgetClient, type AgentClient, type WidgetClient } from '../test/helpers.js';
import { spawnInstance, type InstanceProcess } from '../test/processes.js';
import { Ledger, type Suspect } from './routing-ledger.js';
import { DEFAULT_SETTINGS } from '../src/settings/service.js';

const num = (name: string, def: number) => Number(process.env[name] ?? def);
const INSTANCES = num('BENCH_INSTANCES', 2);
const COUNSELLORS = num('BENCH_COUNSELLORS', 100);
const CAPACITY = num('BENCH_CAPACITY', 2);
const SECONDS = num('BENCH_SECONDS', 60);
const HOLD_MS = (process.env.BENCH_HOLD_MS ?? '5000-15000').split('-').map(Number) as [number, number];
const SLOTS = COUNSELLORS * CAPACITY;
const SERVICE_PER_S = SLOTS / ((HOLD_MS[0] + HOLD_MS[1]) / 2000);
const ARRIVALS_PER_S = num('BENCH_ARRIVALS_PER_S', num('BENCH_LOAD', 1.3) * SERVICE_PER_S);
const PREFILL = num('BENCH_PREFILL', SLOTS);
const PREFILL_PER_S = 100;
const WARMUP_S = num('BENCH_WARMUP_S', PREFILL / PREFILL_PER_S + 2);
const DECLINE_SHARE = num('BENCH_DECLINE_SHARE', 0.05);
const DRAIN_S = num('BENCH_DRAIN_S', 180);
const SAMPLE_MS = 200;
const REQUIRED_BUSY = 0.9;
const REQUIRED_QUEUED = 0.9;

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);
const r1 = (x: number) => Math.round(x * 10) / 10;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: r1(pct(s, 50)), p99: r1(pct(s, 99)) };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (...a: unknown[]) => console.error('[bench routing]', ...a);
const errCode = (e: unknown) => (e as { data?: { code?: string } }).data?.code ?? (e as Error).message;

interface Child {
  sock: WidgetClient;
  sentAt?: number;
  conversationId?: string;
  outcome?: 'acked' | 'no_ack' | 'refused';
  code?: string;
}

interface Sample {
  at: number;
  busy: number;
  waiting: number;
  overCapacity: number;
  client: number;
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const prefix = `b${uid()}`;
  const instances: InstanceProcess[] = [];
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  const agents: AgentClient[] = [];
  const children: Child[] = [];
  try {
    const env = { OFFER_TIMEOUT_MS: '30000', WRAPUP_MS: '0', WRAPUP_URGENT_MS: '0', SWEEP_INTERVAL_MS: '5000', VISITOR_GRACE_MS: '600000', MESSAGE_RATE_PER_10S: '100000', WIDGET_CONNECTIONS_PER_IP_PER_MIN: '1000000', LOGINS_PER_IP_PER_MIN: '1000000', LOG_LEVEL: 'error' };
    for (let i = 0; i < INSTANCES; i++) instances.push(await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env, nodeArgs: process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) }));
    log(`${INSTANCES} instances up; ${COUNSELLORS} counsellors x ${CAPACITY} = ${SLOTS} slots, hold ${HOLD_MS.join('-')} ms (serve ~${SERVICE_PER_S.toFixed(1)}/s), arrivals ${ARRIVALS_PER_S.toFixed(1)}/s for ${SECONDS} s after ${PREFILL} at once`);

    const pw = 'bench-password-1';
    const passwordHash = await hash(pw, { algorithm: 2 });
    const staff: { id: string; email: string }[] = [];
    for (let i = 0; i < COUNSELLORS; i++) {
      const email = `bench-c${i}-${uid(2)}@bench.local`;
      const [row] = await sql`insert into staff_users (email, name, role, password_hash, languages, capacity)
        values (${email}, ${'Counsellor ' + i}, 'counsellor', ${passwordHash}, '{bg,en}'::text[], ${CAPACITY}) returning id`;
      staff.push({ id: row!.id, email });
    }

    const ledger = new Ledger({ capacity: CAPACITY, weights: DEFAULT_SETTINGS.channelWeights });
    const byConversation = new Map<string, Child>();
    const routed = new Set<string>();
    // Offer latencies, ms. `fromRequest` starts at the child's start request instead of the insert.
    const offerLat: number[] = [];
    const onArrival: number[] = [];
    const onFree: number[] = [];
    const queueWait: number[] = [];
    const fromRequest: number[] = [];
    const early = new Map<string, { at: number; free: number }>();
    const acceptRefused = new Map<string, number>();
    let offersReceived = 0;
    let declines = 0;
    let endFailures = 0;
    // End sent → acknowledged: the server kicks the dispatch loop at the end of that path.
    const endAck: number[] = [];

    for (let i = 0; i < staff.length; i++) {
      const url = instances[i % INSTANCES]!.url;
      const me = staff[i]!.id;
      const sock = agentClient(url, await login(url, staff[i]!.email, pw));
      agents.push(sock);
      sock.on('offer:new', (o: Offer) => {
        const now = performance.now();
        const cid = o.conversation.id;
        offersReceived++;
        const free = ledger.offered(me, o.offerId, cid, now, o.conversation.channel);
        if (free !== null) {
          const exists = Date.parse(o.conversation.enqueuedAt) - performance.timeOrigin;
          offerLat.push(now - Math.max(exists, free));
          if (exists >= free) onArrival.push(now - exists);
          else {
            onFree.push(now - free);
            queueWait.push(now - exists);
          }
          const sent = byConversation.get(cid)?.sentAt;
          if (sent !== undefined) fromRequest.push(now - Math.max(sent, free));
          else early.set(cid, { at: now, free });
        }
        if (Math.random() < DECLINE_SHARE) {
          declines++;
          ledger.released(o.offerId, now, 'declined');
          void call(sock, 'offer:decline', { offerId: o.offerId }, 60_000).catch((e) => log('decline failed', errCode(e)));
          return;
        }
        void call(sock, 'offer:accept', { offerId: o.offerId }, 60_000).then(
          (r) => {
            if (!r.ok) {
              acceptRefused.set(r.error.code, (acceptRefused.get(r.error.code) ?? 0) + 1);
              ledger.released(o.offerId, performance.now(), 'refused');
              return;
            }
            ledger.accepted(o.offerId);
            routed.add(cid);
            setTimeout(() => {
              const endSent = performance.now();
              ledger.released(o.offerId, endSent, 'ended');
              void call(sock, 'conversation:end', { conversationId: cid }, 60_000).then(
                (e) => {
                  if (!e.ok) endFailures++;
                  else endAck.push(performance.now() - endSent);
                  byConversation.get(cid)?.sock.disconnect();
                },
                () => endFailures++,
              );
            }, HOLD_MS[0] + Math.random() * (HOLD_MS[1] - HOLD_MS[0]));
          },
          (e) => log('accept failed', errCode(e)),
        );
      });
      sock.on('offer:revoked', (r: { offerId: string }) => ledger.released(r.offerId, performance.now(), 'revoked'));
      sock.on('conversation:assigned', (c: StaffConversation) => ledger.assigned(me, c.id));
      sock.on('conversation:removed', (r: { conversationId: string }) => ledger.removed(me, r.conversationId, performance.now()));
      await connected(sock);
      const r = await call(sock, 'agent:status', { status: 'available' });
      if (!r.ok) throw new Error(`status: ${JSON.stringify(r.error)}`);
      ledger.register(me, performance.now());
    }
    log(`${COUNSELLORS} counsellors available`);

    // Postgres, sampled: live assignments (offers and chats), waiting children, counsellors over capacity.
    const samples: Sample[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [r] = await sql`select
            (select coalesce(sum(weight), 0) from assignments where status in ('offered','accepted'))::float8 / 100 as busy,
            (select count(*) from conversations where state = 'waiting')::int as waiting,
            (select count(*) from (select a.staff_id from assignments a join staff_users s on s.id = a.staff_id
               where a.status in ('offered','accepted') group by a.staff_id, s.capacity having sum(a.weight) > s.capacity * 100) o)::int
            + (select count(*) from agent_states a join staff_users s on s.id = a.staff_id where a.load > s.capacity * 100)::int as over`;
        samples.push({ at: performance.now(), busy: r!.busy, waiting: r!.waiting, overCapacity: r!.over, client: ledger.busy() });
        await sleep(SAMPLE_MS);
      }
    })();

    const arrive = async (i: number) => {
      const child: Child = { sock: widgetClient(instances[i % INSTANCES]!.url) };
      children.push(child);
      try {
        await connected(child.sock);
      } catch (e) {
        child.outcome = 'refused';
        child.code = `connect:${errCode(e)}`;
        child.sock.disconnect();
        return;
      }
      child.sentAt = performance.now();
      try {
        const r = await call(child.sock, 'conversation:start', { language: i % 2 ? 'bg' : 'en' }, 30_000);
        if (!r.ok) {
          child.outcome = 'refused';
          child.code = r.error.code;
          child.sock.disconnect();
          return;
        }
        const cid = r.data.conversation.id;
        child.outcome = 'acked';
        child.conversationId = cid;
        byConversation.set(cid, child);
        const e = early.get(cid);
        if (e) fromRequest.push(e.at - Math.max(child.sentAt, e.free));
      } catch {
        child.outcome = 'no_ack';
      }
    };
    const t0 = performance.now();
    const prefillS = PREFILL / PREFILL_PER_S;
    const arrivalsEnd = t0 + SECONDS * 1000;
    for (let i = 0; ; i++) {
      const dueS = i < PREFILL ? i / PREFILL_PER_S : prefillS + (i - PREFILL) / ARRIVALS_PER_S;
      if (dueS >= SECONDS) break;
      const wait = t0 + dueS * 1000 - performance.now();
      if (wait > 0) await sleep(wait);
      void arrive(i);
    }
    await sleep(Math.max(0, arrivalsEnd - performance.now()));
    log(`${children.length} children arrived; draining`);
    const drainDeadline = performance.now() + DRAIN_S * 1000;
    const settled = () => children.every((c) => c.outcome) && [...byConversation.keys()].every((id) => routed.has(id)) && ledger.busy() === 0;
    while (!settled() && performance.now() < drainDeadline) await sleep(200);
    await sleep(500);
    sampling = false;
    await sampler;

    // Second offers whose first offer's end the counsellor heard late: settled with the server's times.
    const pending = ledger.pending();
    const ends = new Map<string, { offered: number; ended: number | null }>();
    if (pending.length) {
      const ids = [...new Set(pending.flatMap((p) => [p.first, p.second]))];
      for (const row of await sql<{ id: string; offered: string; ended: string | null }[]>`select id, extract(epoch from offered_at) * 1000 as offered, extract(epoch from ended_at) * 1000 as ended from assignments where id = any(${ids}::uuid[])`) {
        ends.set(row.id, { offered: Number(row.offered), ended: row.ended === null ? null : Number(row.ended) });
      }
    }
    const endedBefore = (s: Suspect) => {
      const first = ends.get(s.first);
      const second = ends.get(s.second);
      return !!first && !!second && first.ended !== null && first.ended <= second.offered;
    };
    const checks = ledger.finish(endedBefore);

    // Every start: routed, still waiting, refused (by code) or lost.
    const refused: Record<string, number> = {};
    let noAck = 0;
    let routedStarts = 0;
    const notRouted: string[] = [];
    for (const c of children) {
      if (c.outcome === 'refused') refused[c.code!] = (refused[c.code!] ?? 0) + 1;
      else if (c.outcome !== 'acked') noAck++;
      else if (routed.has(c.conversationId!)) routedStarts++;
      else notRouted.push(c.conversationId!);
    }
    const states = notRouted.length ? await sql<{ state: string }[]>`select state from conversations where id = any(${notRouted}::uuid[])` : [];
    const byState: Record<string, number> = {};
    for (const s of states) byState[s.state] = (byState[s.state] ?? 0) + 1;
    if (notRouted.length) log(`acknowledged but not routed, by state now: ${JSON.stringify(byState)}`);
    const stillWaiting = (byState.waiting ?? 0) + (byState.offered ?? 0);
    // Lost: no acknowledgement, or acknowledged and then neither routed nor waiting.
    const starts = { sent: children.length, routed: routedStarts, waiting: stillWaiting, refused, lost: noAck + notRouted.length - stillWaiting };
    const [unaccepted] = await sql`select count(*)::int as n from conversations c where not exists (select 1 from assignments a where a.conversation_id = c.id and a.status in ('accepted','ended') and a.responded_at is not null)`;

    // The load over the loaded part of the run, time-weighted between samples.
    const from = t0 + WARMUP_S * 1000;
    let span = 0;
    let busyArea = 0;
    let clientArea = 0;
    let queued = 0;
    let inWindow = 0;
    for (let i = 0; i + 1 < samples.length; i++) {
      const s = samples[i]!;
      if (s.at < from || s.at >= arrivalsEnd) continue;
      const dt = samples[i + 1]!.at - s.at;
      span += dt;
      busyArea += (s.busy / SLOTS) * dt;
      clientArea += (s.client / SLOTS) * dt;
      inWindow++;
      if (s.waiting > 0) queued++;
    }
    const busyRatio = span ? busyArea / span : 0;
    const queuedShare = inWindow ? queued / inWindow : 0;
    const pgViolations = samples.reduce((a, s) => a + s.overCapacity, 0);
    const loadOk = busyRatio >= REQUIRED_BUSY && queuedShare >= REQUIRED_QUEUED;
    const ok = checks.doubleOffers === 0 && checks.heldByTwo === 0 && checks.capacityViolations === 0 && pgViolations === 0 && checks.offersAfterEnd === 0 && starts.lost === 0 && starts.waiting === 0;

    const offers = stats(offerLat);
    const req = stats(fromRequest);
    log(`window ${((arrivalsEnd - from) / 1000).toFixed(1)} s, ${inWindow} samples: busy ${(busyRatio * 100).toFixed(1)} % (clients' view ${((span ? clientArea / span : 0) * 100).toFixed(1)} %), children waiting in ${(queuedShare * 100).toFixed(1)} % of samples, peak queue ${Math.max(0, ...samples.map((s) => s.waiting))}`);
    log(`offers ${offersReceived}, declined ${declines}, accepts refused ${JSON.stringify(Object.fromEntries(acceptRefused))}, end failures ${endFailures}, second offers settled by the server's times ${checks.lateEnds}; never accepted in Postgres ${unaccepted!.n}`);
    log(`offer latency: found a free slot ${JSON.stringify(stats(onArrival))}, queued then a slot freed ${JSON.stringify(stats(onFree))}, queue wait ${JSON.stringify(stats(queueWait))}; end acknowledged ${JSON.stringify(stats(endAck))}`);
    if (!loadOk) log(`WARNING: the load was not reached (need ${REQUIRED_BUSY * 100} % of slots busy and children waiting in ${REQUIRED_QUEUED * 100} % of samples): raise BENCH_LOAD or the hold time`);
    if (!ok) log('FAILED: see the checks in the JSON line');
    console.log(
      JSON.stringify({
        bench: 'routing',
        instances: INSTANCES,
        counsellors: COUNSELLORS,
        slots: SLOTS,
        seconds: SECONDS,
        arrivals_per_s: r1(ARRIVALS_PER_S),
        offer_p50_ms: offers.p50,
        offer_p99_ms: offers.p99,
        offer_from_request_p50_ms: req.p50,
        offer_from_request_p99_ms: req.p99,
        offer_found_free_slot_ms: stats(onArrival),
        offer_after_slot_freed_ms: stats(onFree),
        queue_wait_ms: stats(queueWait),
        double_offers: checks.doubleOffers,
        held_by_two: checks.heldByTwo,
        offers_after_end: checks.offersAfterEnd,
        capacity_violations: checks.capacityViolations + pgViolations,
        capacity_violations_clients: checks.capacityViolations,
        capacity_violations_postgres: pgViolations,
        slots_busy_ratio: Math.round(busyRatio * 1000) / 1000,
        queue_nonempty_share: Math.round(queuedShare * 1000) / 1000,
        load_ok: loadOk,
        ...(loadOk ? {} : { warning: 'load not reached' }),
        starts,
        lost: starts.lost,
        ok,
      }),
    );
    if (!ok || !loadOk) process.exitCode = 1;
    if (process.env.BENCH_VERBOSE) for (const i of instances) console.error(i.output.join('').slice(-4000));
  } catch (err) {
    for (const i of instances) console.error(i.output.join('').slice(-3000));
    throw err;
  } finally {
    for (const c of children) c.sock.disconnect();
    for (const a of agents) a.disconnect();
    await Promise.all(instances.map((i) => i.kill('SIGTERM')));
    await sql.end();
    await db.drop();
    await deleteRedisPrefix(prefix);
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
