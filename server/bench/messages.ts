// `pnpm bench messages`: the message path of the whole platform against a bare Socket.IO relay, on the
// same machine in the same run. Each side is driven to saturation: its throughput is the highest offered
// rate it sustains with p99 delivery latency (send → the other side's message:new) under 50 ms and
// nothing lost or duplicated. Rates double until a step fails (a failed step is measured once more, the
// same rule for both sides), then bisect. Both servers run as child
// processes; the clients live in this process. The last line is one JSON object.
// The platform is measured once per cross-instance adapter of BENCH_ADAPTERS (default `ours,stock`, the
// settings of SOCKETIO_ADAPTER; issue 16 decides between them by it), each on a fresh database and Redis
// prefix. BENCH_INSTANCES=2 runs two platform instances, counsellors on the first and visitors on the
// second, so that every message crosses instances through the adapter; with 1 (the default), ours knows
// it is alone and skips Redis, the stock adapter writes and reads back its own stream.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { io as ioc, type Socket } from 'socket.io-client';
import { createTestDatabase, deleteRedisPrefix, freePort, login, uid } from '../test/helpers.js';
import { spawnInstance, type InstanceProcess } from '../test/processes.js';
import { openDatabase } from '../src/db/client.js';
import { createAuthService } from '../src/auth/service.js';

const VISITORS = Number(process.env.BENCH_VISITORS ?? 1000);
const COUNSELLOR_CAPACITY = 20;
const COUNSELLORS = Math.ceil(VISITORS / COUNSELLOR_CAPACITY);
const STEP_MS = Number(process.env.BENCH_STEP_MS ?? 3000);
const DRAIN_MS = 2000;
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
  errors: number;
  pass: boolean;
}

const log = (s: string) => process.stderr.write(`${s}\n`);

function pct(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Drives one system: the same code for the platform and for the bare relay. */
class Driver {
  private pending = new Map<string, { at: number; to: 'visitor' | 'counsellor' }>();
  private received = new Set<string>();
  private latencies: number[] = [];
  private duplicated = 0;
  private errors = 0;
  private stepTag = '';
  private trace: [number, number][] = [];

  constructor(
    private readonly pairs: Pair[],
    private readonly bare: boolean,
    /** Called around each measured step (to profile the server during it). */
    private readonly around?: () => void,
  ) {
    // A counsellor's socket serves many pairs: one listener per socket, not per pair.
    for (const s of new Set(pairs.map((p) => p.visitor))) s.on('message:new', (m: { clientMsgId: string }) => this.onDelivered(m, 'visitor'));
    for (const s of new Set(pairs.map((p) => p.agent))) s.on('message:new', (m: { clientMsgId: string }) => this.onDelivered(m, 'counsellor'));
  }

  private onDelivered(m: { clientMsgId: string }, side: 'visitor' | 'counsellor'): void {
    const p = this.pending.get(m.clientMsgId);
    if (!p || p.to !== side) return; // system lines, own echoes, earlier steps
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
    this.errors = 0;
    this.stepTag = uid(3);
    let n = 0;
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
      errors: this.errors,
      pass: p99 < P99_LIMIT_MS && lost === 0 && this.duplicated === 0 && this.errors === 0,
    };
    // Let stragglers of a failed step land before the next one starts.
    await new Promise((r) => setTimeout(r, res.pass ? 200 : 1500));
    return res;
  }

  private sendOne(i: number): void {
    const pair = this.pairs[Math.floor(i / 2) % this.pairs.length]!;
    const fromVisitor = i % 2 === 0;
    const clientMsgId = `b${this.stepTag}-${i}`;
    const payload: Record<string, unknown> = { conversationId: pair.conversationId, clientMsgId, body: `message ${i} of the benchmark` };
    if (this.bare) {
      payload.to = fromVisitor ? pair.agentRoom : pair.visitorRoom;
      payload.toNsp = fromVisitor ? '/agent' : '/widget';
    }
    this.pending.set(clientMsgId, { at: performance.now(), to: fromVisitor ? 'counsellor' : 'visitor' });
    (fromVisitor ? pair.visitor : pair.agent).emit('message:send', payload, (ack: { ok: boolean }) => {
      if (!ack?.ok) this.errors++;
    });
  }

  /**
   * One rate, measured again once when it fails: on this shared 2-core machine a single stall of the
   * OS or a GC (at any rate) can put one step's p99 over the limit. Both systems get the same rule.
   */
  private async tryStep(name: string, rate: number): Promise<StepResult> {
    let r = await this.step(rate);
    log(`${name} offered ${rate}/s → ${JSON.stringify(r)}`);
    if (!r.pass) {
      r = await this.step(rate);
      log(`${name} offered ${rate}/s again → ${JSON.stringify(r)}`);
    }
    return r;
  }

  /** Highest sustained rate: double until a step fails (twice), then bisect. */
  async saturate(name: string): Promise<StepResult> {
    let best: StepResult | null = null;
    // A warm-up step, not counted: connections opened, statements prepared, code compiled.
    log(`${name} warm-up → ${JSON.stringify(await this.step(500, 3000, false))}`);
    // BENCH_RATES="1000,2000" runs just those steps (for profiling a steady state).
    const fixed = process.env.BENCH_RATES?.split(',').map(Number).filter((n) => n > 0);
    if (fixed?.length) {
      for (const rate of fixed) {
        const r = await this.step(rate);
        log(`${name} offered ${rate}/s → ${JSON.stringify(r)}`);
        if (r.pass && (!best || r.rate > best.rate)) best = r;
      }
      return best ?? { rate: 0, achieved: 0, sent: 0, p50: 0, p99: 0, lost: 0, duplicated: 0, errors: 0, pass: false };
    }
    let rate = 250;
    let fail: number | null = null;
    while (rate <= MAX_RATE) {
      const r = await this.tryStep(name, rate);
      if (!r.pass) {
        fail = rate;
        break;
      }
      best = r;
      rate *= 2;
    }
    let lo = best?.rate ?? 0;
    let hi = fail ?? lo;
    for (let i = 0; i < 3 && fail !== null && hi - lo > lo * 0.1; i++) {
      const mid = Math.round((lo + hi) / 2);
      const r = await this.tryStep(name, mid);
      if (r.pass) {
        best = r;
        lo = mid;
      } else hi = mid;
    }
    return best ?? { rate: 0, achieved: 0, sent: 0, p50: 0, p99: 0, lost: 0, duplicated: 0, errors: 0, pass: false };
  }
}

function connect(url: string, opts: { extraHeaders?: Record<string, string>; auth?: Record<string, unknown> }): Promise<Socket> {
  const s = ioc(url, { transports: ['websocket'], reconnection: false, forceNew: true, ...opts });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

function ack<T>(s: Socket, event: string, payload: unknown): Promise<T> {
  return s
    .timeout(30_000)
    .emitWithAck(event, payload)
    .then((r: { ok: boolean; data?: T; error?: unknown }) => {
      if (!r.ok) throw new Error(`${event}: ${JSON.stringify(r.error)}`);
      return r.data as T;
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
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./bare-relay.ts', import.meta.url)), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`bare relay exited ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child };
}

const NO_RESULT: StepResult = { rate: 0, achieved: 0, sent: 0, p50: 0, p99: 0, lost: 0, duplicated: 0, errors: 0, pass: false };

/** The platform with one adapter: its own database and Redis prefix, torn down afterwards. */
async function measurePlatform(adapter: string): Promise<StepResult> {
  const db = await createTestDatabase();
  const prefix = `bench${uid()}`;
  const instances: InstanceProcess[] = [];
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
    const result = await new Driver(pairs, false, around).saturate(`platform/${adapter}`);
    closeAll(pairs);
    await Promise.all(instances.splice(0).map((i) => i.kill('SIGTERM')));
    return result;
  } finally {
    await Promise.all(instances.map((i) => i.kill('SIGKILL')));
    await db.drop().catch(() => {});
    await deleteRedisPrefix(prefix).catch(() => {});
  }
}

async function main(): Promise<void> {
  let bare: { url: string; child: ChildProcess } | null = null;
  try {
    const platform: Record<string, StepResult> = {};
    for (const adapter of ADAPTERS) platform[adapter] = await measurePlatform(adapter);

    // BENCH_SKIP_BARE=1 measures the platform alone (for profiling); the ratio is then 0.
    let relay: StepResult = NO_RESULT;
    if (!process.env.BENCH_SKIP_BARE) {
      bare = await startBare();
      const bPairs = await barePairs(bare.url);
      relay = await new Driver(bPairs, true).saturate('bare');
      closeAll(bPairs);
    }

    const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 100) / 100 : 0);
    const first = platform[ADAPTERS[0]!]!;
    console.log(
      JSON.stringify({
        bench: 'messages',
        visitors: VISITORS,
        instances: INSTANCES,
        // The first adapter's figures, as before there was a choice.
        adapter: ADAPTERS[0],
        messages_per_s: first.rate,
        p50_ms: first.p50,
        p99_ms: first.p99,
        lost: first.lost,
        duplicated: first.duplicated,
        bare_messages_per_s: relay.rate,
        ratio: ratio(first.rate, relay.rate),
        adapters: Object.fromEntries(
          Object.entries(platform).map(([a, r]) => [a, { messages_per_s: r.rate, p50_ms: r.p50, p99_ms: r.p99, lost: r.lost, duplicated: r.duplicated, ratio: ratio(r.rate, relay.rate) }]),
        ),
        ...(platform.ours && platform.stock ? { ours_over_stock: ratio(platform.ours.rate, platform.stock.rate) } : {}),
      }),
    );
  } finally {
    if (bare) bare.child.kill('SIGKILL');
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
