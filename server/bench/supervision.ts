// `pnpm bench supervision`: how fast the supervisors' board follows a change under a busy centre.
// A fresh database is seeded directly with 100 counsellors (all at capacity), 1,000 live conversations,
// 500 waiting and a history of closed ones; the real server runs as a child process. Then visitors join
// and leave the queue one at a time; each change is timed from the visitor's emit to the first
// 'board:update' on a supervisor's socket that shows it. The server's CPU time comes from /proc.
// The last line is one JSON object.
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { io as ioc, type Socket } from 'socket.io-client';
import type { BoardSnapshot } from '@helpline/shared';
import { createTestDatabase, deleteRedisPrefix, login, uid } from '../test/helpers.js';
import { spawnInstance, type InstanceProcess } from '../test/processes.js';
import { openDatabase } from '../src/db/client.js';
import { createAuthService } from '../src/auth/service.js';

const COUNSELLORS = Number(process.env.BENCH_COUNSELLORS ?? 100);
const WAITING = Number(process.env.BENCH_WAITING ?? 500);
const LIVE = Number(process.env.BENCH_LIVE ?? 1000);
const HISTORY = Number(process.env.BENCH_HISTORY ?? 20_000);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 60);
const GAP_MS = 400;

const log = (s: string) => process.stderr.write(`${s}\n`);
const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0);

/** utime + stime of a process, in ms. */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

async function seed(url: string): Promise<{ email: string; password: string }> {
  const sqlc = postgres(url, { max: 4, onnotice: () => {} });
  const capacity = Math.ceil(LIVE / COUNSELLORS);
  const staff = await sqlc<{ id: string }[]>`
    insert into staff_users (email, name, role, password_hash, languages, topics, capacity)
    select 'c' || g || '@bench.local', 'Counsellor ' || g, 'counsellor', 'x', '{bg,en}', '{}', ${capacity}
    from generate_series(1, ${COUNSELLORS}) g returning id`;
  const ids = staff.map((s) => s.id);
  await sqlc`insert into agent_states (staff_id, status, load) select unnest(${ids}::uuid[]), 'available', ${capacity}`;
  // Live conversations: `capacity` per counsellor, accepted over the last hour.
  await sqlc`
    insert into conversations (state, language, assigned_staff_id, enqueued_at, first_accepted_at, accepted_at)
    select 'active', 'bg', (${ids}::uuid[])[1 + (g % ${COUNSELLORS})], now() - (g || ' seconds')::interval - interval '1 minute',
           now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
    from generate_series(1, ${LIVE}) g`;
  await sqlc`
    insert into conversations (state, language, topic, priority, priority_rank, enqueued_at)
    select 'waiting', (array['bg','en','sr-Cyrl','sr-Latn'])[1 + g % 4], (array['online-abuse','parents','relationships','other'])[1 + g % 4],
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
  const password = `pw-${uid(8)}`;
  const email = `sup-${uid(3)}@bench.local`;
  await auth.createUser({ email, name: 'Supervisor', role: 'supervisor', password });
  await db.close();
  return { email, password };
}

async function main(): Promise<void> {
  const database = await createTestDatabase();
  const redisPrefix = `b${uid()}`;
  let inst: InstanceProcess | null = null;
  const sockets: Socket[] = [];
  try {
    // Start once to migrate, then seed, then start the measured instance.
    const boot = await spawnInstance({ databaseUrl: database.url, redisPrefix });
    await boot.kill();
    log('seeding...');
    const sup = await seed(database.url);
    inst = await spawnInstance({
      databaseUrl: database.url,
      redisPrefix,
      // Seeded counsellors have no sockets: keep their chats for the whole run.
      env: { DISCONNECT_GRACE_MS: '3600000', VISITOR_GRACE_MS: '3600000', SWEEP_INTERVAL_MS: '5000', LOG_LEVEL: 'warn' },
    });
    const who = await login(inst.url, sup.email, sup.password);
    const supSock = ioc(`${inst.url}/agent`, { transports: ['websocket'], extraHeaders: { origin: inst.url, cookie: who.cookie }, reconnection: false, forceNew: true });
    sockets.push(supSock);
    const first = await new Promise<BoardSnapshot>((resolve, reject) => {
      supSock.on('connect_error', reject);
      supSock.on('connect', () => {
        supSock.emit('board:snapshot' as never, {} as never, ((r: { ok: boolean; data: BoardSnapshot }) => resolve(r.data)) as never);
      });
    });
    log(`board: ${first.waiting.total} waiting, ${first.live.total} live, ${first.counsellors.length} counsellors`);

    let expectWaiting = first.waiting.total;
    let pending: { want: number; at: number; resolve: (ms: number) => void } | null = null;
    supSock.on('board:update' as never, ((b: BoardSnapshot) => {
      if (pending && b.waiting.total === pending.want) {
        const p = pending;
        pending = null;
        p.resolve(performance.now() - p.at);
      }
    }) as never);

    const visitors: { sock: Socket; conversationId: string }[] = [];
    const latencies: number[] = [];
    const cpu0 = cpuMs(inst.child.pid!);
    const t0 = performance.now();
    for (let i = 0; i < CHANGES; i++) {
      const join = i % 2 === 0 || visitors.length === 0;
      const want = join ? expectWaiting + 1 : expectWaiting - 1;
      const seen = new Promise<number>((resolve) => {
        pending = { want, at: performance.now(), resolve };
      });
      if (join) {
        const v = ioc(`${inst.url}/widget`, { transports: ['websocket'], extraHeaders: { origin: inst.url }, auth: { hostOrigin: inst.url }, reconnection: false, forceNew: true });
        sockets.push(v);
        await new Promise<void>((r) => v.on('connect', () => r()));
        pending!.at = performance.now();
        const res = await new Promise<{ ok: boolean; data: { conversation: { id: string } } }>((r) => v.emit('conversation:start', { language: 'en' }, r));
        visitors.push({ sock: v, conversationId: res.data.conversation.id });
      } else {
        const v = visitors.shift()!;
        v.sock.emit('conversation:end', { conversationId: v.conversationId }, () => {});
      }
      expectWaiting = want;
      const ms = await Promise.race([seen, new Promise<number>((r) => setTimeout(() => r(5_000), 5_000))]);
      latencies.push(ms);
      await new Promise((r) => setTimeout(r, GAP_MS));
    }
    const elapsedS = (performance.now() - t0) / 1000;
    const cpu = cpuMs(inst.child.pid!) - cpu0;
    // The cost of one snapshot alone (over HTTP, so an upper bound).
    const snaps: number[] = [];
    for (let i = 0; i < 20; i++) {
      const at = performance.now();
      await fetch(`${inst.url}/api/supervision/board`, { headers: { cookie: who.cookie } }).then((r) => r.arrayBuffer());
      snaps.push(performance.now() - at);
    }
    snaps.sort((a, b) => a - b);
    latencies.sort((a, b) => a - b);
    log(`update latency ms: p50 ${pct(latencies, 50).toFixed(0)}, p99 ${pct(latencies, 99).toFixed(0)}, max ${latencies[latencies.length - 1]!.toFixed(0)}`);
    console.log(
      JSON.stringify({
        bench: 'supervision',
        counsellors: COUNSELLORS,
        waiting: WAITING,
        live: LIVE,
        history: HISTORY,
        changes: CHANGES,
        update_p50_ms: Math.round(pct(latencies, 50)),
        update_p99_ms: Math.round(pct(latencies, 99)),
        snapshot_p50_ms: Math.round(pct(snaps, 50)),
        server_cpu_ms_per_s: Math.round(cpu / elapsedS),
      }),
    );
  } finally {
    for (const s of sockets) s.disconnect();
    if (inst) await inst.kill();
    await database.drop();
    await deleteRedisPrefix(redisPrefix);
  }
}

main().catch((err: unknown) => {
  log(String((err as Error).stack ?? err));
  process.exit(1);
});
