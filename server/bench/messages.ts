// `pnpm bench messages`: the message path of the whole platform against a bare Socket.IO relay (the least
// the job needs, bare-relay.ts), on the same machine in the same run, with the same clients. Each side is
// driven to saturation: its throughput is the highest offered rate it sustains with p99 delivery latency
// (send → the other party's message:new) under 50 ms, every message delivered to the right socket (the
// other party's, not merely a socket of that side), none lost, none duplicated (watched for a window
// after the last delivery) and no error. Rates double until a step fails (a failed step is measured once
// more, the same rule for both sides), then bisect. Afterwards Postgres must hold every message the
// platform acknowledged exactly once, with the seq and body of its acknowledgement. Both servers run as
// child processes; the clients live in this process, whose CPU is reported (a saturated load generator
// caps both sides). The last line is one JSON object.
// The platform is measured once per cross-instance adapter of BENCH_ADAPTERS (default `ours,stock`, the
// settings of SOCKETIO_ADAPTER; docs/realtime-adapter.md decides between them by it), each on a fresh
// database and Redis prefix. BENCH_INSTANCES=2 runs two platform instances, counsellors on the first and
// visitors on the second, so that every message crosses instances through the adapter; with 1 (the
// default), ours knows it is alone and skips Redis, the stock adapter writes and reads back its own stream.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { rawConnect, type BenchSocket as Socket } from './raw-client.js';
import { cpuBetween, sampleCpu } from './cpu.js';
import { SaturationSearch } from './search.js';
import postgres from 'postgres';
import { createTestDatabase, deleteRedisPrefix, freePort, login, uid } from '../test/helpers.js';
import { spawnInstance, type InstanceProcess } from '../test/processes.js';
import { openDatabase } from '../src/db/client.js';
import { createAuthService } from '../src/auth/service.js';

const VISITORS = Number(process.env.BENCH_VISITORS ?? 1000);
const COUNSELLOR_CAPACITY = 20;
const COUNSELLORS = Math.ceil(VISITORS / COUNSELLOR_CAPACITY);
const STEP_MS = Number(process.env.BENCH_STEP_MS ?? 3000);
const DRAIN_MS = 2000;
/** After the last delivery, how long a duplicate would still be counted. */
const DUPLICATE_WINDOW_MS = 1000;
const P99_LIMIT_MS = 50;
const MAX_RATE = 64_000;
/** BENCH_PROFILE_DIR=dir: a CPU profile of the server for each measured step (not the set-up), in dir;
 * with BENCH_PROFILE_KIND=heap, a sampling profile of its allocations instead. */
const PROFILE = process.env.BENCH_PROFILE_DIR;
/** BENCH_TRACE=1: after each step, its worst 100 ms windows of sending (where the tail comes from). */
const TRACE = Boolean(process.env.BENCH_TRACE);
const ADAPTERS = (process.env.BENCH_ADAPTERS ?? 'ours,stock').split(',').map((a) => a.trim()).filter(Boolean);
const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1);
for (const a of ADAPTERS) if (a !== 'ours' && a !== 'stock') throw new Error(`BENCH_ADAPTERS: unknown adapter ${a} (ours, stock)`);
if (INSTANCES !== 1 && INSTANCES !== 2) throw new Error('BENCH_INSTANCES: 1 or 2');

interface Pair {
  conversationId: string;
  visitor: Socket;
  agent: Socket;
  visitorRoom: string;
  agentRoom: string;
}

interface StepResult {
  rate: number;
  achieved: number;
  sent: number;
  p50: number;
  p99: number;
  lost: number;
  duplicated: number;
  /** Delivered to a socket that is neither the other party nor the sender. */
  misdelivered: number;
  /** Sent back to the sending socket as well as acknowledged (a packet the job does not need). */
  echoed: number;
  errors: number;
  /** This process's CPU during the step, in % of one core. */
  loadgenCpu: number;
  /** The servers', Postgres' and Redis' CPU during the step, in % of one core (bench/cpu.ts). */
  cpu: Record<string, number>;
  pass: boolean;
}

const NO_RESULT: StepResult = { rate: 0, achieved: 0, sent: 0, p50: 0, p99: 0, lost: 0, duplicated: 0, misdelivered: 0, echoed: 0, errors: 0, loadgenCpu: 0, cpu: {}, pass: false };

/** A message the platform acknowledged: what Postgres must hold afterwards. */
export interface Acked {
  conversationId: string;
  clientMsgId: string;
  seq: number;
  body: string;
}

const log = (s: string) => process.stderr.write(`${s}\n`);

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Drives one system: the same code for the platform and for the bare relay. */
class Driver {
  private pending = new Map<string, { at: number; to: Socket; from: Socket }>();
  private received = new Set<string>();
  private latencies: number[] = [];
  private duplicated = 0;
  private misdelivered = 0;
  private echoed = 0;
  private errors = 0;
  private stepTag = '';
  private trace: [number, number][] = [];
  /** Every acknowledgement of every measured step, for the check in Postgres. */
  readonly acked: Acked[] = [];
  /**
   * Over every measured step, passed or not: a duplicate or a message at the wrong person is a fault at
   * any rate (only latency and loss may give way under overload), and the line says so even when no
   * step passed.
   */
  readonly faults = { steps: 0, duplicated: 0, misdelivered: 0 };

  constructor(
    private readonly pairs: Pair[],
    private readonly bare: boolean,
    /** Pids of the servers under test, by name, for their CPU per step. */
    private readonly servers: Record<string, number>,
    /** Called around each measured step (to profile the server during it). */
    private readonly around?: () => void,
  ) {
    // A counsellor's socket serves many pairs: one listener per socket, not per pair.
    for (const s of new Set(pairs.flatMap((p) => [p.visitor, p.agent]))) s.on('message:new', (m: { clientMsgId: string }) => this.onDelivered(m, s));
  }

  private onDelivered(m: { clientMsgId: string }, at: Socket): void {
    const p = this.pending.get(m.clientMsgId);
    if (!p) return; // system lines, earlier steps
    if (at !== p.to) {
      if (at === p.from) this.echoed++;
      else this.misdelivered++;
      return;
    }
    if (this.received.has(m.clientMsgId)) {
      this.duplicated++;
      return;
    }
    this.received.add(m.clientMsgId);
    const now = performance.now();
    this.latencies.push(now - p.at);
    if (TRACE) this.trace.push([p.at, now - p.at]);
  }

  async step(rate: number, stepMs = STEP_MS, measured = true): Promise<StepResult> {
    if (measured) this.around?.();
    this.pending.clear();
    this.received.clear();
    this.latencies = [];
    this.duplicated = 0;
    this.misdelivered = 0;
    this.echoed = 0;
    this.errors = 0;
    this.stepTag = uid(3);
    this.measured = measured;
    let n = 0;
    const cpu0 = process.cpuUsage();
    const others0 = sampleCpu(this.servers);
    const start = performance.now();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const elapsed = performance.now() - start;
        const due = Math.min(Math.floor((rate * Math.min(elapsed, stepMs)) / 1000), Math.floor((rate * stepMs) / 1000));
        while (n < due) this.sendOne(n++);
        if (elapsed >= stepMs) resolve();
        else setTimeout(tick, 2);
      };
      tick();
    });
    const sendSeconds = (performance.now() - start) / 1000;
    const drainEnd = performance.now() + DRAIN_MS;
    while (this.received.size < n && performance.now() < drainEnd) await new Promise((r) => setTimeout(r, 20));
    const cpu = process.cpuUsage(cpu0);
    const others = cpuBetween(others0, sampleCpu(this.servers));
    const loadgenCpu = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - start)) * 100);
    // A duplicate or a stray delivery can come after the last expected one.
    await new Promise((r) => setTimeout(r, DUPLICATE_WINDOW_MS));
    if (measured) this.around?.();
    if (TRACE) {
      // The worst latency of each 100 ms of sending: whether a failed p99 is a few stalls or a backlog.
      const win = new Map<number, number>();
      for (const [at, l] of this.trace) {
        const w = Math.floor((at - start) / 100);
        win.set(w, Math.max(win.get(w) ?? 0, l));
      }
      const worst = [...win].sort((a, b) => b[1] - a[1]).slice(0, 8);
      log(`  worst 100 ms windows (latency ms at s into the step): ${worst.map(([w, l]) => `${Math.round(l)}@${w / 10}`).join(' ')}`);
      this.trace = [];
    }
    if (measured) {
      this.faults.steps++;
      this.faults.duplicated += this.duplicated;
      this.faults.misdelivered += this.misdelivered;
    }
    const sorted = this.latencies.slice().sort((a, b) => a - b);
    const lost = n - this.received.size;
    const achieved = Math.round(this.received.size / sendSeconds);
    const p99 = pct(sorted, 99);
    const res: StepResult = {
      rate,
      achieved,
      sent: n,
      p50: Math.round(pct(sorted, 50) * 10) / 10,
      p99: Math.round(p99 * 10) / 10,
      lost,
      duplicated: this.duplicated,
      misdelivered: this.misdelivered,
      echoed: this.echoed,
      errors: this.errors,
      loadgenCpu,
      cpu: others,
      pass: p99 < P99_LIMIT_MS && lost === 0 && this.duplicated === 0 && this.misdelivered === 0 && this.errors === 0,
    };
    // Let stragglers of a failed step land before the next one starts.
    await new Promise((r) => setTimeout(r, res.pass ? 200 : 1500));
    return res;
  }

  private measured = false;

  private sendOne(i: number): void {
    const pair = this.pairs[Math.floor(i / 2) % this.pairs.length]!;
    const fromVisitor = i % 2 === 0;
    const clientMsgId = `b${this.stepTag}-${i}`;
    const body = `message ${i} of the benchmark`;
    const payload: Record<string, unknown> = { conversationId: pair.conversationId, clientMsgId, body };
    if (this.bare) {
      payload.to = fromVisitor ? pair.agentRoom : pair.visitorRoom;
      payload.toNsp = fromVisitor ? '/agent' : '/widget';
    }
    const from = fromVisitor ? pair.visitor : pair.agent;
    this.pending.set(clientMsgId, { at: performance.now(), to: fromVisitor ? pair.agent : pair.visitor, from });
    const measured = this.measured;
    from.emit('message:send', payload, (ack: { ok: boolean; data?: { seq: number; clientMsgId: string; body: string } }) => {
      if (!ack?.ok || ack.data?.clientMsgId !== clientMsgId || ack.data.body !== body) this.errors++;
      else if (measured) this.acked.push({ conversationId: pair.conversationId, clientMsgId, seq: ack.data.seq, body });
    });
  }

}

function connect(url: string, opts: { extraHeaders?: Record<string, string>; auth?: Record<string, unknown> }): Promise<Socket> {
  return rawConnect(url, { ...(opts.extraHeaders ? { headers: opts.extraHeaders } : {}), ...(opts.auth ? { auth: opts.auth } : {}) });
}

function ack<T>(s: Socket, event: string, payload: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${event}: no answer in 30 s`)), 30_000);
    s.emit(event, payload, (r: { ok: boolean; data?: T; error?: unknown }) => {
      clearTimeout(t);
      if (!r?.ok) reject(new Error(`${event}: ${JSON.stringify(r?.error)}`));
      else resolve(r.data as T);
    });
  });
}

async function inBatches<T, R>(items: T[], size: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map((t, j) => fn(t, i + j)))));
  return out;
}

/** Counsellors on the first instance, visitors on the last (the same one when there is one). */
async function platformPairs(instances: InstanceProcess[], databaseUrl: string): Promise<Pair[]> {
  const inst = instances[0]!;
  const visitorInst = instances.at(-1)!;
  const database = await openDatabase({ url: databaseUrl, poolSize: 4 });
  const auth = createAuthService(database.db, { sessionTtlMs: 3600_000, defaultCapacity: COUNSELLOR_CAPACITY });
  const password = `bench-${uid(8)}`;
  const staff = await inBatches(Array.from({ length: COUNSELLORS }, (_, i) => i), 10, (i) =>
    auth.createUser({ email: `bench-${i}@bench.local`, name: `Counsellor ${i}`, role: 'counsellor', password, languages: ['bg', 'en'], capacity: COUNSELLOR_CAPACITY }),
  );
  await database.close();
  const agents = await inBatches(staff, 10, async (p) => {
    const who = await login(inst.url, p.email, password);
    const s = await connect(`${inst.url}/agent`, { extraHeaders: { origin: inst.url, cookie: who.cookie } });
    await ack(s, 'agent:hello', {});
    await ack(s, 'agent:status', { status: 'available' });
    return { s, id: p.id };
  });
  const visitors = await inBatches(Array.from({ length: VISITORS }, (_, i) => i), 50, async () => {
    const s = await connect(`${visitorInst.url}/widget`, { extraHeaders: { origin: visitorInst.url }, auth: { hostOrigin: visitorInst.url } });
    const started = await ack<{ conversation: { id: string } }>(s, 'conversation:start', { language: 'en' });
    return { s, conversationId: started.conversation.id };
  });
  // Auto-accept assigns every conversation; ask each counsellor which ones it holds.
  const owner = new Map<string, Socket>();
  const deadline = Date.now() + 60_000;
  while (owner.size < VISITORS) {
    if (Date.now() > deadline) throw new Error(`only ${owner.size} of ${VISITORS} conversations were assigned`);
    await new Promise((r) => setTimeout(r, 500));
    for (const a of agents) {
      const hello = await ack<{ conversations: { id: string; state: string }[] }>(a.s, 'agent:hello', {});
      for (const c of hello.conversations) if (c.state === 'active') owner.set(c.id, a.s);
    }
  }
  return visitors.map((v) => ({ conversationId: v.conversationId, visitor: v.s, agent: owner.get(v.conversationId)!, visitorRoom: '', agentRoom: '' }));
}

async function barePairs(url: string): Promise<Pair[]> {
  const agents = await inBatches(Array.from({ length: COUNSELLORS }, (_, i) => i), 10, async (i) => ({
    s: await connect(`${url}/agent`, { auth: { room: `staff:${i}`, name: `Counsellor ${i}` } }),
    room: `staff:${i}`,
  }));
  return inBatches(Array.from({ length: VISITORS }, (_, i) => i), 50, async (i) => {
    const conversationId = randomUUID();
    const s = await connect(`${url}/widget`, { auth: { room: `visitor:${i}` } });
    const a = agents[i % COUNSELLORS]!;
    return { conversationId, visitor: s, agent: a.s, visitorRoom: `visitor:${i}`, agentRoom: a.room };
  });
}

function closeAll(pairs: Pair[]): void {
  for (const p of pairs) {
    p.visitor.disconnect();
    p.agent.disconnect();
  }
}

async function startBare(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  // BENCH_RELAY_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof": a profile of the relay, written when it exits.
  const nodeArgs = process.env.BENCH_RELAY_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', fileURLToPath(new URL('./bare-relay.ts', import.meta.url)), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`bare relay exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

/** Every acknowledged message stored exactly once, with the seq and body its acknowledgement carried. */
async function checkStored(databaseUrl: string, acked: Acked[]): Promise<{ checked: number; missing: number; duplicated: number; mismatched: number }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ conversation_id: string; client_msg_id: string; seq: number; body: string }[]>`
      select conversation_id, client_msg_id, seq::int as seq, body from messages where client_msg_id like 'b%'`;
    const stored = new Map<string, { seq: number; body: string }[]>();
    for (const r of rows) {
      const k = `${r.conversation_id}|${r.client_msg_id}`;
      stored.set(k, [...(stored.get(k) ?? []), { seq: r.seq, body: r.body }]);
    }
    let missing = 0;
    let duplicated = 0;
    let mismatched = 0;
    for (const a of acked) {
      const got = stored.get(`${a.conversationId}|${a.clientMsgId}`) ?? [];
      if (!got.length) missing++;
      else if (got.length > 1) duplicated++;
      else if (got[0]!.seq !== a.seq || got[0]!.body !== a.body) mismatched++;
    }
    return { checked: acked.length, missing, duplicated, mismatched };
  } finally {
    await sql.end();
  }
}

/** The durability the figures were measured with: they mean nothing with fsync off. */
async function durability(databaseUrl: string): Promise<{ fsync: string; synchronous_commit: string }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [f] = await sql<{ fsync: string }[]>`show fsync`;
    const [c] = await sql<{ synchronous_commit: string }[]>`show synchronous_commit`;
    return { fsync: f!.fsync, synchronous_commit: c!.synchronous_commit };
  } finally {
    await sql.end();
  }
}

/** One system under test: its driver, its search, what it needs torn down and checked afterwards. */
interface Side {
  name: string;
  driver: Driver;
  search: SaturationSearch;
  best: StepResult;
  /** Stops its servers; for the platform also checks Postgres and reads its durability settings. */
  finish(): Promise<{ stored?: Awaited<ReturnType<typeof checkStored>>; pg?: Awaited<ReturnType<typeof durability>> }>;
  /** On failure: kill whatever is left. */
  abort(): Promise<void>;
}

const searchOptions = () => {
  const fixed = process.env.BENCH_RATES?.split(',').map(Number).filter((n) => n > 0);
  return { max: MAX_RATE, ...(fixed?.length ? { fixed } : {}) };
};

/** The platform with one adapter, on its own database and Redis prefix. */
async function platformSide(adapter: string): Promise<Side> {
  const db = await createTestDatabase();
  const prefix = `bench${uid()}`;
  const instances: InstanceProcess[] = [];
  const abort = async () => {
    await Promise.all(instances.map((i) => i.kill('SIGKILL')));
    await db.drop().catch(() => {});
    await deleteRedisPrefix(prefix).catch(() => {});
  };
  try {
    for (let i = 0; i < INSTANCES; i++) {
      instances.push(
        await spawnInstance({
          databaseUrl: db.url,
          redisPrefix: prefix,
          nodeArgs: [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...(PROFILE ? ['--import', fileURLToPath(new URL('./profile-hook.mjs', import.meta.url))] : [])],
          env: { ...(PROFILE ? { BENCH_PROFILE_DIR: PROFILE, BENCH_PROFILE_KIND: process.env.BENCH_PROFILE_KIND ?? 'cpu' } : {}), SOCKETIO_ADAPTER: adapter, AUTO_ACCEPT: 'true', DEFAULT_CAPACITY: String(COUNSELLOR_CAPACITY), MESSAGE_RATE_PER_10S: '100000000', WIDGET_CONNECTIONS_PER_IP_PER_MIN: '100000000', LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '10', VISITOR_GRACE_MS: '600000', DISCONNECT_GRACE_MS: '600000', SWEEP_INTERVAL_MS: '5000' },
        }),
      );
    }
    log(`platform (${adapter} adapter, ${INSTANCES} instance${INSTANCES > 1 ? 's' : ''}): ${VISITORS} visitors, ${COUNSELLORS} counsellors; setting up…`);
    const pairs = await platformPairs(instances, db.url);
    const around = PROFILE ? () => instances.forEach((i) => i.child.kill('SIGUSR2')) : undefined;
    const driver = new Driver(pairs, false, Object.fromEntries(instances.map((i, n) => [`server${n || ''}`, i.child.pid!])), around);
    return {
      name: `platform/${adapter}`,
      driver,
      search: new SaturationSearch(searchOptions()),
      best: NO_RESULT,
      abort,
      async finish() {
        closeAll(pairs);
        await Promise.all(instances.splice(0).map((i) => i.kill('SIGTERM')));
        const stored = await checkStored(db.url, driver.acked);
        log(`platform/${adapter} stored: ${JSON.stringify(stored)}`);
        const pg = await durability(db.url);
        await abort();
        return { stored, pg };
      },
    };
  } catch (err) {
    await abort();
    throw err;
  }
}

async function relaySide(): Promise<Side> {
  const bare = await startBare();
  const abort = async () => void bare.child.kill('SIGKILL');
  try {
    const pairs = await barePairs(bare.url);
    return {
      name: 'bare',
      driver: new Driver(pairs, true, { relay: bare.child.pid! }),
      search: new SaturationSearch(searchOptions()),
      best: NO_RESULT,
      abort,
      async finish() {
        closeAll(pairs);
        // SIGTERM: a relay started with --cpu-prof writes its profile as it exits.
        const exited = new Promise((r) => bare.child.once('exit', r));
        bare.child.kill('SIGTERM');
        await exited;
        return {};
      },
    };
  } catch (err) {
    await abort();
    throw err;
  }
}

/**
 * The searches of every side in turn, one step each, so that each rate is measured on every side within
 * seconds of the others: on this shared machine its speed changes by half from one minute to the next.
 */
async function saturateTogether(sides: Side[]): Promise<void> {
  // A warm-up step each, not counted: connections opened, statements prepared, code compiled.
  for (const s of sides) log(`${s.name} warm-up → ${JSON.stringify(await s.driver.step(500, 3000, false))}`);
  for (;;) {
    let stepped = false;
    for (const s of sides) {
      const rate = s.search.next();
      if (rate === null) continue;
      stepped = true;
      const r = await s.driver.step(rate);
      log(`${s.name} offered ${rate}/s → ${JSON.stringify(r)}`);
      s.search.report(r.pass);
      if (r.pass && r.rate >= s.best.rate) s.best = r;
    }
    if (!stepped) return;
  }
}

async function main(): Promise<void> {
  const sides: Side[] = [];
  let exitCode = 1;
  try {
    for (const adapter of ADAPTERS) sides.push(await platformSide(adapter));
    // BENCH_SKIP_BARE=1 measures the platform alone (for profiling); the ratio is then 0.
    const relay = process.env.BENCH_SKIP_BARE ? null : await relaySide();
    if (relay) sides.push(relay);
    await saturateTogether(sides);
    const platform: Record<string, { result: StepResult; faults: Driver['faults']; stored: Awaited<ReturnType<typeof checkStored>>; pg: Awaited<ReturnType<typeof durability>> }> = {};
    for (const [i, s] of sides.entries()) {
      const done = await s.finish();
      if (s !== relay) platform[ADAPTERS[i]!] = { result: s.best, faults: s.driver.faults, stored: done.stored!, pg: done.pg! };
    }
    const relayFaults = relay?.driver.faults;
    // The run is good only if every side sustained some rate and nothing was ever doubled, sent to the
    // wrong person, or acknowledged without being stored exactly once.
    const clean = (f: Driver['faults']) => f.duplicated === 0 && f.misdelivered === 0;
    const ok =
      Object.values(platform).every((p) => p.result.rate > 0 && clean(p.faults) && p.stored.missing === 0 && p.stored.duplicated === 0 && p.stored.mismatched === 0) &&
      (!relay || (relay.best.rate > 0 && clean(relayFaults!)));
    sides.length = 0;
    const bare = relay?.best ?? NO_RESULT;

    const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 100) / 100 : 0);
    const firstRun = platform[ADAPTERS[0]!]!;
    const first = firstRun.result;
    console.log(
      JSON.stringify({
        bench: 'messages',
        ok,
        visitors: VISITORS,
        instances: INSTANCES,
        // The first adapter's figures, as before there was a choice.
        adapter: ADAPTERS[0],
        messages_per_s: first.rate,
        p50_ms: first.p50,
        p99_ms: first.p99,
        lost: first.lost,
        duplicated: first.duplicated,
        misdelivered: first.misdelivered,
        echoed: first.echoed,
        all_steps_duplicated: firstRun.faults.duplicated,
        all_steps_misdelivered: firstRun.faults.misdelivered,
        stored_checked: firstRun.stored.checked,
        stored_missing: firstRun.stored.missing,
        stored_duplicated: firstRun.stored.duplicated,
        stored_mismatched: firstRun.stored.mismatched,
        loadgen_cpu_pct: first.loadgenCpu,
        cpu_pct: first.cpu,
        bare_messages_per_s: bare.rate,
        bare_p99_ms: bare.p99,
        bare_echoed: bare.echoed,
        ...(relayFaults ? { bare_all_steps_duplicated: relayFaults.duplicated, bare_all_steps_misdelivered: relayFaults.misdelivered } : {}),
        bare_loadgen_cpu_pct: bare.loadgenCpu,
        bare_cpu_pct: bare.cpu,
        pg_fsync: firstRun.pg.fsync,
        pg_synchronous_commit: firstRun.pg.synchronous_commit,
        ratio: ratio(first.rate, bare.rate),
        adapters: Object.fromEntries(
          Object.entries(platform).map(([a, { result: r, stored, faults }]) => [
            a,
            { messages_per_s: r.rate, p50_ms: r.p50, p99_ms: r.p99, lost: r.lost, duplicated: r.duplicated, misdelivered: r.misdelivered, all_steps_duplicated: faults.duplicated, all_steps_misdelivered: faults.misdelivered, stored_missing: stored.missing, stored_duplicated: stored.duplicated, loadgen_cpu_pct: r.loadgenCpu, cpu_pct: r.cpu, ratio: ratio(r.rate, bare.rate) },
          ]),
        ),
        ...(platform.ours && platform.stock ? { ours_over_stock: ratio(platform.ours.result.rate, platform.stock.result.rate) } : {}),
      }),
    );
    exitCode = ok ? 0 : 1;
  } finally {
    await Promise.all(sides.map((s) => s.abort()));
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
