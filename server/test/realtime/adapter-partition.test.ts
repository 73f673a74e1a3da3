// Issue 16's partition test: what the cross-instance adapter (the stock @socket.io/redis-streams-adapter,
// as the platform runs it) loses when ONE instance loses Redis while the others go on. Instances on the
// real Redis, two sockets on each in one room that spans them all; every instance broadcasts to the room
// every 20 ms throughout; instance C reaches Redis through a proxy of its own that is cut and then
// healed. Two kinds of cut:
//  - `reset`: C's Redis connections are reset and new ones refused (Redis crashed or restarted, as C
//    sees it; ioredis reconnects with the platform's back-off);
//  - `partition`: nothing passes either way but the connections stay open (a network partition that
//    heals before TCP gives up).
// One more scenario puts the limit of the stream in the way: three instances, a stream shorter than
// what the others append during the cut, so that C's backlog is trimmed.
// The clients act as the widget and the console do: on every reconnection they fetch what they have
// not seen of the durable record (Postgres there: here, every broadcast emitted so far). A broadcast is
// lost for a socket when it reached it neither live nor by such a resync. Each scenario prints one line
// of figures (docs/realtime-adapter.md collects them, with the figures of the platform's own adapter,
// which this test also ran until issue 16 decided for the stock one).
import { afterEach, describe, expect, it } from 'vitest';
import { io as ioc, type Socket as ClientSocket } from 'socket.io-client';
import { deleteRedisPrefix, uid } from '../helpers.js';
import { startNode, tcpProxy, type Node, type TcpProxy } from './cluster-support.js';

const CUT_MS = Number(process.env.PARTITION_CUT_MS ?? 10_000);
const EMIT_EVERY_MS = 20;
const SOCKETS_PER_NODE = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Emitted {
  origin: string;
  at: number;
}
interface Received {
  at: number;
  /** Live deliveries (0: only fetched by a resync). */
  count: number;
}

interface Figures {
  adapter: 'stock';
  scenario: string;
  /** Broadcasts of the other instances that a socket of the cut instance never received (socket × event). */
  lostToCut: number;
  /** Of which emitted during the cut (the rest: after the heal, before the live path was back). */
  lostToCutDuringCut: number;
  /** Broadcasts of the cut instance that a socket of another instance never received. */
  lostFromCut: number;
  /** Broadcasts that never reached a socket of their own instance, or went between two instances that kept Redis. */
  lostElsewhere: number;
  duplicates: number;
  /** Broadcasts a cut instance's socket did not get live but fetched when it reconnected (socket × event). */
  recoveredByResync: number;
  /** Client reconnections (socket × reconnection). */
  reconnects: number;
  /** Per socket and origin, events received after a later one of the same origin. */
  outOfOrder: number;
  /** Worst delay of the cut instance's own broadcasts to its own sockets, during the cut. */
  localDelayMaxMs: number;
  /** From the heal until broadcasts emitted after it flow both ways (first one received by the other side). */
  liveAgainMs: number;
  /** From the heal until the last broadcast of the cut window that arrived at all had arrived. */
  backlogDrainedMs: number;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => {});
});

interface RunOptions {
  nodes: number;
  cut: 'reset' | 'partition';
  cutMs: number;
  maxLen?: number;
}

async function run(scenario: string, opts: RunOptions): Promise<Figures> {
  const adapter = 'stock' as const;
  const prefix = `part${uid()}`;
  cleanups.push(() => deleteRedisPrefix(prefix));
  const proxy: TcpProxy = await tcpProxy();
  cleanups.push(() => proxy.close());
  const names = ['A', 'B', 'C'].slice(0, opts.nodes - 1).concat('C');
  const cutName = 'C';
  const nodes = new Map<string, Node>();
  for (const name of names) {
    const node = await startNode(adapter, { prefix, proxy: name === cutName ? proxy : undefined, maxLen: opts.maxLen });
    cleanups.push(() => node.close());
    node.io.on('connection', (s) => void s.join('all'));
    nodes.set(name, node);
  }

  const emitted = new Map<string, Emitted>();
  /** socket name ("A0") → event id → reception. */
  const received = new Map<string, Map<string, Received>>();
  const order = new Map<string, number>();
  let outOfOrder = 0;
  let lastReceptionAt = performance.now();
  let reconnects = 0;
  const clients: ClientSocket[] = [];
  for (const name of names) {
    for (let k = 0; k < SOCKETS_PER_NODE; k++) {
      const sock = `${name}${k}`;
      const got = new Map<string, Received>();
      received.set(sock, got);
      const c = ioc(nodes.get(name)!.url, { transports: ['websocket'], forceNew: true });
      cleanups.push(async () => void c.disconnect());
      c.on('ev', (id: string) => {
        const now = performance.now();
        lastReceptionAt = now;
        const r = got.get(id);
        if (r) r.count++;
        else got.set(id, { at: now, count: 1 });
        const [origin, n] = id.split('-') as [string, string];
        const key = `${sock}/${origin}`;
        if (Number(n) < (order.get(key) ?? -1)) outOfOrder++;
        else order.set(key, Number(n));
      });
      await new Promise<void>((r, j) => (c.once('connect', () => r()), c.once('connect_error', j)));
      // Reconnected: fetch what was missed from the durable record, as the widget and console do by seq.
      c.on('connect', () => {
        reconnects++;
        const now = performance.now();
        for (const id of emitted.keys()) if (!got.has(id)) got.set(id, { at: now, count: 0 });
      });
      clients.push(c);
    }
  }
  // Every socket hears every instance before the clock starts.
  await sleep(500);

  const counters = new Map(names.map((n) => [n, 0]));
  const timer = setInterval(() => {
    for (const name of names) {
      const n = counters.get(name)!;
      counters.set(name, n + 1);
      const id = `${name}-${n}`;
      emitted.set(id, { origin: name, at: performance.now() });
      nodes.get(name)!.io.to('all').emit('ev', id);
    }
  }, EMIT_EVERY_MS);
  cleanups.push(async () => clearInterval(timer));

  await sleep(1000);
  const cutAt = performance.now();
  if (opts.cut === 'reset') proxy.cut();
  else proxy.pause();
  await sleep(opts.cutMs);
  const healAt = performance.now();
  proxy.heal();
  await sleep(3000);
  clearInterval(timer);
  // Until every socket has everything, or nothing has arrived for 5 s (what is lost stays lost).
  const total = emitted.size * received.size;
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    const have = [...received.values()].reduce((s, m) => s + m.size, 0);
    if (have >= total || performance.now() - lastReceptionAt > 5000) break;
    await sleep(100);
  }

  const inCut = (e: Emitted) => e.at >= cutAt && e.at < healAt;
  const f: Figures = {
    adapter,
    scenario,
    lostToCut: 0,
    lostToCutDuringCut: 0,
    lostFromCut: 0,
    lostElsewhere: 0,
    duplicates: 0,
    recoveredByResync: 0,
    reconnects,
    outOfOrder,
    localDelayMaxMs: 0,
    liveAgainMs: 0,
    backlogDrainedMs: 0,
  };
  let liveToCut = Infinity;
  let liveFromCut = Infinity;
  let lastBacklog = healAt;
  for (const [sock, got] of received) {
    const onCut = sock.startsWith(cutName);
    for (const [id, e] of emitted) {
      const r = got.get(id);
      if (r && r.count === 0) {
        f.recoveredByResync++;
        continue;
      }
      if (r) {
        f.duplicates += r.count - 1;
        if (inCut(e)) {
          if (onCut && e.origin === cutName) f.localDelayMaxMs = Math.max(f.localDelayMaxMs, r.at - e.at);
          if (onCut !== (e.origin === cutName)) lastBacklog = Math.max(lastBacklog, r.at);
        }
        if (e.at >= healAt && onCut && e.origin !== cutName) liveToCut = Math.min(liveToCut, r.at - healAt);
        if (e.at >= healAt && !onCut && e.origin === cutName) liveFromCut = Math.min(liveFromCut, r.at - healAt);
        continue;
      }
      if (onCut && e.origin !== cutName) {
        f.lostToCut++;
        if (inCut(e)) f.lostToCutDuringCut++;
      } else if (!onCut && e.origin === cutName) f.lostFromCut++;
      else f.lostElsewhere++;
    }
  }
  f.liveAgainMs = Math.round(Math.max(liveToCut, liveFromCut));
  f.backlogDrainedMs = Math.round(lastBacklog - healAt);
  f.localDelayMaxMs = Math.round(f.localDelayMaxMs);
  const perInstance = Math.round(opts.cutMs / EMIT_EVERY_MS);
  console.log(`partition ${JSON.stringify({ ...f, cutMs: opts.cutMs, emittedPerInstanceDuringCut: perInstance, sockets: received.size })}`);
  return f;
}

/**
 * No broadcast lost anywhere, whether it arrived live or was fetched on reconnecting. After a reset ioredis
 * resends the XADDs whose answers were lost, and Redis may have run them already: the stock adapter then
 * delivers that broadcast twice (seen under load: 4 duplicates in one run). Measured, not required: the
 * widget and the console merge messages by id, so a child never sees one twice.
 */
function expectNothingLost(f: Figures): void {
  expect(f.lostElsewhere).toBe(0);
  expect(f.lostToCut).toBe(0);
  expect(f.lostFromCut).toBe(0);
}

describe('one of three instances loses Redis for 10 s', () => {
  it.each(['reset', 'partition'] as const)(
    '%s: the others go on; after the heal nothing is lost and the live path is back',
    async (cut) => {
      const f = await run(`3 instances, ${cut}`, { nodes: 3, cut, cutMs: CUT_MS });
      expectNothingLost(f);
      // Only a reset makes ioredis resend appends Redis may have run: with the connections kept, none.
      if (cut === 'partition') expect(f.duplicates).toBe(0);
      expect(f.outOfOrder).toBe(0);
      expect(f.liveAgainMs).toBeLessThan(5000);
      // All of it live: the stream held the backlog, nobody had to reconnect.
      expect(f.reconnects).toBe(0);
      // The platform writes its own sockets before the append (cluster.ts): the cut instance's own
      // sockets go on hearing each other (the stock order froze them for the whole cut).
      expect(f.localDelayMaxMs).toBeLessThan(500);
    },
    CUT_MS + 60_000,
  );
});

describe('one of two instances loses Redis for 5 s', () => {
  it(
    'the instance that kept Redis goes on appending: everything reaches the other one live after the heal',
    async () => {
      const f = await run('2 instances, reset 5 s', { nodes: 2, cut: 'reset', cutMs: 5000 });
      expectNothingLost(f);
      expect(f.outOfOrder).toBe(0);
      expect(f.reconnects).toBe(0);
    },
    60_000,
  );
});

describe('the stream holds less than one instance misses while cut off', () => {
  it(
    'a hole in the cut instance’s backlog: the stock adapter loses it, live (the clients fetch it by seq at the next message)',
    async () => {
      // 100 entries (about 150 with MAXLEN ~): the others append about 1,000 entries during the cut.
      const f = await run(`3 instances, reset ${CUT_MS / 1000} s, stream of 100 entries`, { nodes: 3, cut: 'reset', cutMs: CUT_MS, maxLen: 100 });
      // What the stock adapter loses, pinned so that a change shows: the trimmed part of the backlogs,
      // both ways (and, under load, some of A's and B's entries to each other, trimmed by C's burst).
      expect(f.lostToCut).toBeGreaterThan(0);
      expect(f.lostFromCut).toBeGreaterThan(0);
    },
    CUT_MS + 60_000,
  );
});
