// `pnpm bench supervision`: how fast a change reaches the supervisors' board through the change path
// (routing's change listener → `touch()` → the 250 ms board job), under a busy centre.
//
// A fresh database is seeded with 100 counsellors at capacity (no sockets), 1,000 live conversations,
// 500 waiting ones (topic `other`) and 20,000 closed ones; one real server runs as a child process with
// its periodic board refresh turned off (BOARD_REFRESH_MS=0, `BENCH_BOARD_REFRESH_MS` to change it), so
// a board update can only come from a change. Then `BENCH_LANES` (12) lanes act at once, each a real
// counsellor socket and its visitors, each with a (language, topic) of its own that nothing else uses,
// so every change is recognisable on the board by itself. A lane repeats: a visitor starts a
// conversation (its group's count becomes 1) → the counsellor sets "available" (status and `since`) →
// the offer (the counsellor's load becomes 1) → accept (the group's count becomes 0) → "away" → end
// (load 0). Each change is timed from its emit (for the offer: its arrival at the counsellor) to the
// first `board:update` on a supervisor socket that shows it and was computed after the emit (its `at`).
// A lane waits for its change to be seen (or `BENCH_SEEN_TIMEOUT_MS`, then it counts as never seen)
// and a short random gap before the next. The last line is one JSON object.
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import type { BoardCounsellor, BoardSnapshot, Language, Offer, Topic } from '@helpline/shared';
import { LANGUAGES } from '@helpline/shared';
import { agentClient, call, connected, createTestDatabase, deleteRedisPrefix, login, next, uid, widgetClient, type AgentClient, type WidgetClient } from '../test/helpers.js';
import { spawnInstance, type InstanceProcess } from '../test/processes.js';
import { openDatabase } from '../src/db/client.js';
import { createAuthService } from '../src/auth/service.js';

const num = (name: string, def: number) => Number(process.env[name] ?? def);
const COUNSELLORS = num('BENCH_COUNSELLORS', 100);
const WAITING = num('BENCH_WAITING', 500);
const LIVE = num('BENCH_LIVE', 1000);
const HISTORY = num('BENCH_HISTORY', 20_000);
const CHANGES = num('BENCH_CHANGES', 1000);
const LANE_TOPICS: Topic[] = ['online-abuse', 'relationships', 'parents'];
const LANES = num('BENCH_LANES', LANGUAGES.length * LANE_TOPICS.length);
const GAP_MS = (process.env.BENCH_GAP_MS ?? '100-300').split('-').map(Number) as [number, number];
const SEEN_TIMEOUT_MS = num('BENCH_SEEN_TIMEOUT_MS', 5000);
const BOARD_REFRESH_MS = process.env.BENCH_BOARD_REFRESH_MS ?? '0';
const KINDS = ['start', 'available', 'offer', 'accept', 'away', 'end'] as const;
type Kind = (typeof KINDS)[number];

const log = (s: string) => process.stderr.write(`[bench supervision] ${s}\n`);
const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number) => Math.round(x);

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

interface Lane {
  language: Language;
  topic: Topic;
  email: string;
  password: string;
  staffId: string;
}

async function seed(url: string): Promise<{ sup: { email: string; password: string }; lanes: Lane[] }> {
  const sqlc = postgres(url, { max: 4, onnotice: () => {} });
  const capacity = Math.ceil(LIVE / COUNSELLORS);
  const staff = await sqlc<{ id: string }[]>`
    insert into staff_users (email, name, role, password_hash, languages, topics, capacity)
    select 'c' || g || '@bench.local', 'Counsellor ' || g, 'counsellor', 'x', '{bg,en}', '{}', ${capacity}
    from generate_series(1, ${COUNSELLORS}) g returning id`;
  const ids = staff.map((s) => s.id);
  await sqlc`insert into agent_states (staff_id, status, load) select unnest(${ids}::uuid[]), 'available', ${capacity * 100}`; // load in hundredths of a slot
  // Live conversations: `capacity` per counsellor, accepted over the last hour.
  await sqlc`
    insert into conversations (state, language, assigned_staff_id, enqueued_at, first_accepted_at, accepted_at)
    select 'active', 'bg', (${ids}::uuid[])[1 + (g % ${COUNSELLORS})], now() - (g || ' seconds')::interval - interval '1 minute',
           now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
    from generate_series(1, ${LIVE}) g`;
  // The waiting queue is all topic `other`, which no lane's counsellor takes (and the seeded ones are
  // full), so it stays as it is and no lane's group is ever touched by it.
  await sqlc`
    insert into conversations (state, language, topic, priority, priority_rank, enqueued_at)
    select 'waiting', (array['bg','en','sr-Cyrl','sr-Latn'])[1 + g % 4], 'other',
           case when g % 50 = 0 then 'urgent' when g % 10 = 0 then 'high' else 'normal' end,
           case when g % 50 = 0 then 0 when g % 10 = 0 then 1 else 2 end,
           now() - (g || ' seconds')::interval
    from generate_series(1, ${WAITING}) g`;
  // History: closed conversations of the past 90 days (the board must not read them).
  await sqlc`
    insert into conversations (state, language, enqueued_at, first_accepted_at, accepted_at, ended_at, closed_at, created_at)
    select 'closed', 'bg', t, t + interval '40 seconds', t + interval '40 seconds', t + interval '15 minutes', t + interval '20 minutes', t
    from (select now() - interval '1 day' - (g * interval '6 minutes') as t from generate_series(1, ${HISTORY}) g) s`;
  await sqlc`analyze`;
  await sqlc.end();
  const db = await openDatabase({ url });
  const auth = createAuthService(db.db, { sessionTtlMs: 3_600_000, defaultCapacity: 2 });
  const sup = { email: `sup-${uid(3)}@bench.local`, password: `pw-${uid(8)}` };
  await auth.createUser({ ...sup, name: 'Supervisor', role: 'supervisor' });
  const lanes: Lane[] = [];
  for (let i = 0; i < LANES; i++) {
    const language = LANGUAGES[i % LANGUAGES.length]!;
    const topic = LANE_TOPICS[Math.floor(i / LANGUAGES.length)]!;
    const email = `lane${i}-${uid(3)}@bench.local`;
    const password = `pw-${uid(8)}`;
    const p = await auth.createUser({ email, password, name: `Lane ${String(i).padStart(2, '0')}`, role: 'counsellor', languages: [language], topics: [topic], capacity: 1 });
    lanes.push({ language, topic, email, password, staffId: p.id });
  }
  await db.close();
  return { sup, lanes };
}

/** Changes waiting to be seen on the board, matched against every board update as it arrives. */
function createWatch(supSock: AgentClient) {
  interface Pending {
    kind: Kind;
    from: number;
    notBefore: number;
    test: (b: BoardSnapshot) => boolean;
    done: (ms: number | null) => void;
  }
  const pending = new Set<Pending>();
  const latencies = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
  const neverSeen = new Map<Kind, number>(KINDS.map((k) => [k, 0]));
  let issued = 0;
  let updates = 0;
  supSock.on('board:update', (b: BoardSnapshot) => {
    const now = performance.now();
    updates++;
    // A snapshot computed (its `at`, taken before its queries) before the change was emitted cannot show
    // it, whatever its content: this keeps an old state that happens to look the same from counting.
    const at = Date.parse(b.at);
    for (const p of [...pending]) {
      if (at >= p.notBefore && p.test(b)) {
        pending.delete(p);
        p.done(Math.max(0, now - p.from));
      }
    }
  });
  return {
    get issued() {
      return issued;
    },
    get updates() {
      return updates;
    },
    latencies,
    neverSeen,
    /**
     * Expect a change: `from` (performance.now()) starts its clock; snapshots computed before
     * `notBefore` (Date.now() at the emit) are ignored. Resolves when seen or after the timeout.
     */
    expect(kind: Kind, from: number, notBefore: number, test: (b: BoardSnapshot) => boolean): Promise<void> {
      issued++;
      return new Promise<void>((resolve) => {
        const p: Pending = {
          kind,
          from,
          notBefore,
          test,
          done: (ms) => {
            clearTimeout(timer);
            if (ms === null) neverSeen.set(kind, neverSeen.get(kind)! + 1);
            else latencies.get(kind)!.push(ms);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          pending.delete(p);
          p.done(null);
        }, SEEN_TIMEOUT_MS);
        pending.add(p);
      });
    },
  };
}
type Watch = ReturnType<typeof createWatch>;

const mark = () => ({ perf: performance.now(), wall: Date.now() });
const gap = () => sleep(GAP_MS[0] + Math.random() * (GAP_MS[1] - GAP_MS[0]));

async function runLane(url: string, lane: Lane, sock: AgentClient, watch: Watch, since0: string, visitors: WidgetClient[]): Promise<void> {
  const me = (b: BoardSnapshot): BoardCounsellor | undefined => b.counsellors.find((c) => c.staffId === lane.staffId);
  const queued = (b: BoardSnapshot) => b.waiting.groups.find((g) => g.language === lane.language && g.topic === lane.topic && g.priority === 'normal')?.count ?? 0;
  let since = since0;
  /** A status change is recognised by its new `since`; the one seen becomes the base of the next. */
  const statusIs = (status: 'available' | 'away') => (b: BoardSnapshot) => {
    const c = me(b);
    if (!c || c.status !== status || c.since === since) return false;
    since = c.since;
    return true;
  };
  const ok = <T>(r: { ok: true; data: T } | { ok: false; error: { code: string } }, what: string): T => {
    if (!r.ok) throw new Error(`${what}: ${r.error.code}`);
    return r.data;
  };

  while (watch.issued < CHANGES) {
    const v = widgetClient(url);
    visitors.push(v);
    await connected(v);
    let t = mark();
    let seen = watch.expect('start', t.perf, t.wall, (b) => queued(b) === 1);
    const started = ok(await call(v, 'conversation:start', { language: lane.language, topic: lane.topic }), 'start');
    const cid = started.conversation.id;
    await seen;
    await gap();

    let offerAt = 0;
    const offerP = next<Offer>(sock, 'offer:new', (o) => {
      if (o.conversation.id !== cid) return false;
      offerAt = performance.now();
      return true;
    });
    t = mark();
    const seenAvailable = watch.expect('available', t.perf, t.wall, statusIs('available'));
    ok(await call(sock, 'agent:status', { status: 'available' }), 'available');
    const offer = await offerP;
    // The offer is the server's own change: its clock starts when it reaches the counsellor (after its
    // commit); snapshots from before the status change cannot show it.
    const seenOffer = watch.expect('offer', offerAt, t.wall, (b) => me(b)?.load === 1);
    await Promise.all([seenAvailable, seenOffer]);
    await gap();

    t = mark();
    seen = watch.expect('accept', t.perf, t.wall, (b) => queued(b) === 0 && me(b)?.load === 1);
    ok(await call(sock, 'offer:accept', { offerId: offer.offerId }), 'accept');
    await seen;
    await gap();

    t = mark();
    seen = watch.expect('away', t.perf, t.wall, statusIs('away'));
    ok(await call(sock, 'agent:status', { status: 'away' }), 'away');
    await seen;
    await gap();

    t = mark();
    seen = watch.expect('end', t.perf, t.wall, (b) => me(b)?.load === 0);
    ok(await call(sock, 'conversation:end', { conversationId: cid }), 'end');
    await seen;
    v.disconnect();
    await gap();
  }
}

async function main(): Promise<void> {
  if (LANES > LANGUAGES.length * LANE_TOPICS.length) throw new Error(`at most ${LANGUAGES.length * LANE_TOPICS.length} lanes: each needs a (language, topic) of its own`);
  const database = await createTestDatabase();
  const redisPrefix = `b${uid()}`;
  let inst: InstanceProcess | null = null;
  const sockets: { disconnect(): unknown }[] = [];
  const visitors: WidgetClient[] = [];
  try {
    // Start once to migrate, then seed, then start the measured instance.
    const boot = await spawnInstance({ databaseUrl: database.url, redisPrefix });
    await boot.kill();
    log('seeding...');
    const { sup, lanes } = await seed(database.url);
    inst = await spawnInstance({
      databaseUrl: database.url,
      redisPrefix,
      // Seeded counsellors have no sockets: keep their chats for the whole run.
      env: { DISCONNECT_GRACE_MS: '3600000', VISITOR_GRACE_MS: '3600000', SWEEP_INTERVAL_MS: '5000', OFFER_TIMEOUT_MS: '60000', WRAPUP_MS: '0', BOARD_REFRESH_MS, WIDGET_CONNECTIONS_PER_IP_PER_MIN: '1000000', LOG_LEVEL: 'warn' },
    });
    const url = inst.url;
    const supSock = agentClient(url, await login(url, sup.email, sup.password));
    sockets.push(supSock);
    await connected(supSock);
    const watch = createWatch(supSock);

    const laneSocks: AgentClient[] = [];
    for (const lane of lanes) {
      const s = agentClient(url, await login(url, lane.email, lane.password));
      sockets.push(s);
      await connected(s);
      const r = await call(s, 'agent:status', { status: 'away' });
      if (!r.ok) throw new Error(`away: ${r.error.code}`);
      laneSocks.push(s);
    }
    const first = await call<BoardSnapshot>(supSock, 'board:snapshot');
    if (!first.ok) throw new Error(`snapshot: ${first.error.code}`);
    log(`board: ${first.data.waiting.total} waiting, ${first.data.live.total} live, ${first.data.counsellors.length} counsellors; ${LANES} lanes, board refresh ${BOARD_REFRESH_MS === '0' ? 'off' : `${BOARD_REFRESH_MS} ms`}`);
    const sinceOf = (id: string) => first.data.counsellors.find((c) => c.staffId === id)!.since;

    const updates0 = watch.updates;
    const cpu0 = cpuMs(inst.child.pid!);
    const t0 = performance.now();
    await Promise.all(lanes.map((lane, i) => runLane(url, lane, laneSocks[i]!, watch, sinceOf(lane.staffId), visitors)));
    const elapsedS = (performance.now() - t0) / 1000;
    const cpu = cpuMs(inst.child.pid!) - cpu0;
    // The cost of one snapshot alone (over HTTP, so an upper bound).
    const snaps: number[] = [];
    const who = await login(url, sup.email, sup.password);
    for (let i = 0; i < 20; i++) {
      const at = performance.now();
      await fetch(`${url}/api/supervision/board`, { headers: { cookie: who.cookie } }).then((r) => r.arrayBuffer());
      snaps.push(performance.now() - at);
    }
    snaps.sort((a, b) => a - b);

    const all = [...watch.latencies.values()].flat().sort((a, b) => a - b);
    const neverSeen = [...watch.neverSeen.values()].reduce((a, b) => a + b, 0);
    for (const k of KINDS) {
      const l = watch.latencies.get(k)!.sort((a, b) => a - b);
      log(`${k.padEnd(9)} n=${String(l.length).padStart(4)}  p50 ${round(pct(l, 50))} ms  p99 ${round(pct(l, 99))} ms  max ${round(l[l.length - 1] ?? 0)} ms  never seen ${watch.neverSeen.get(k)}`);
    }
    log(`${watch.updates - updates0} board updates in ${elapsedS.toFixed(1)} s (${((watch.updates - updates0) / elapsedS).toFixed(1)}/s)`);
    if (neverSeen > 0) log(`WARNING: ${neverSeen} changes never reached the board within ${SEEN_TIMEOUT_MS} ms`);
    console.log(
      JSON.stringify({
        bench: 'supervision',
        counsellors: COUNSELLORS,
        waiting: WAITING,
        live: LIVE,
        history: HISTORY,
        lanes: LANES,
        board_refresh_ms: Number(BOARD_REFRESH_MS),
        changes: watch.issued,
        changes_per_s: Math.round((watch.issued / elapsedS) * 10) / 10,
        update_p50_ms: round(pct(all, 50)),
        update_p99_ms: round(pct(all, 99)),
        update_max_ms: round(all[all.length - 1] ?? 0),
        never_seen: neverSeen,
        snapshot_p50_ms: round(pct(snaps, 50)),
        server_cpu_ms_per_s: round(cpu / elapsedS),
      }),
    );
    if (neverSeen > 0) process.exitCode = 1;
  } catch (err) {
    if (inst) log(inst.output.join('').slice(-3000));
    throw err;
  } finally {
    for (const s of [...visitors, ...sockets]) s.disconnect();
    if (inst) await inst.kill();
    await database.drop();
    await deleteRedisPrefix(redisPrefix);
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    log(String((err as Error).stack ?? err));
    process.exit(1);
  },
);
