// `pnpm bench messages`: setting up each side's servers and clients, and the checks in Postgres afterwards.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { rawConnect, type BenchSocket as Socket } from './raw-client.js';
import { freePort, login, uid } from '../test/helpers.js';
import type { InstanceProcess } from '../test/processes.js';
import { openDatabase } from '../src/db/client.js';
import { createAuthService } from '../src/auth/service.js';
import { COUNSELLOR_CAPACITY, COUNSELLORS, VISITORS } from './messages-config.js';
import type { Acked, Pair } from './messages-driver.js';

export function connect(url: string, opts: { extraHeaders?: Record<string, string>; auth?: Record<string, unknown> }): Promise<Socket> {
  return rawConnect(url, { ...(opts.extraHeaders ? { headers: opts.extraHeaders } : {}), ...(opts.auth ? { auth: opts.auth } : {}) });
}

export function ack<T>(s: Socket, event: string, payload: unknown): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${event}: no answer in 30 s`)), 30_000);
    s.emit(event, payload, (r: { ok: boolean; data?: T; error?: unknown }) => {
      clearTimeout(t);
      if (!r?.ok) reject(new Error(`${event}: ${JSON.stringify(r?.error)}`));
      else resolve(r.data as T);
    });
  });
}

export async function inBatches<T, R>(items: T[], size: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map((t, j) => fn(t, i + j)))));
  return out;
}

/** Counsellors on the first instance, visitors on the last (the same one when there is one). */
export async function platformPairs(instances: InstanceProcess[], databaseUrl: string): Promise<Pair[]> {
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

export async function barePairs(url: string): Promise<Pair[]> {
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

export function closeAll(pairs: Pair[]): void {
  for (const p of pairs) {
    p.visitor.disconnect();
    p.agent.disconnect();
  }
}

export async function startBare(): Promise<{ url: string; child: ChildProcess }> {
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
export async function checkStored(databaseUrl: string, acked: Acked[]): Promise<{ checked: number; missing: number; duplicated: number; mismatched: number }> {
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
export async function durability(databaseUrl: string): Promise<{ fsync: string; synchronous_commit: string }> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    const [f] = await sql<{ fsync: string }[]>`show fsync`;
    const [c] = await sql<{ synchronous_commit: string }[]>`show synchronous_commit`;
    return { fsync: f!.fsync, synchronous_commit: c!.synchronous_commit };
  } finally {
    await sql.end();
  }
}
