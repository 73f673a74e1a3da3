// A lone instance skips the Redis stream, on the real Redis: it appends nothing while alone, a new
// instance is known to it before the new one takes sockets (so no broadcast for the new one's sockets is
// skipped), it is alone again after the other leaves, and a set that Redis lost never makes it skip
// while the other instance is alive. An instance is not alone for never-alone after another one was last
// seen, and one whose heartbeats stopped that long says so (onAway: its adapter then resyncs its sockets).
import { createServer, type Server as HttpServer } from 'node:http';
import { afterAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { io as ioc, type Socket } from 'socket.io-client';
import { streamsAdapter, type StreamsAdapter } from '../../src/realtime/adapter.js';
import { trackMembers } from '../../src/realtime/members.js';
import { deleteRedisPrefix, eventually, TEST_REDIS_URL, uid } from '../helpers.js';
import { tcpProxy } from './cluster-support.js';

const HEARTBEAT_MS = 100;
/** The instances of node(): after Redis lost the set, one that saw another is not alone for this long. */
const NEVER_ALONE_MS = 10 * HEARTBEAT_MS;
const prefix = `members${uid()}`;
const stream = `${prefix}:stream`;
const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Node {
  io: Server;
  http: HttpServer;
  pub: Redis;
  adapter: StreamsAdapter;
  url: string;
}
const nodes: Node[] = [];

/** An instance as buildApp starts one: it listens only once the others know of it. */
async function node(): Promise<Node> {
  const pub = new Redis(TEST_REDIS_URL, { enableAutoPipelining: true, maxRetriesPerRequest: null });
  const adapter = streamsAdapter(pub, { streamName: stream, channelPrefix: `${prefix}:ch`, heartbeatMs: HEARTBEAT_MS, neverAloneMs: NEVER_ALONE_MS });
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], adapter: adapter.factory });
  io.of('/one').on('connection', (s) => void s.join('r'));
  await adapter.joined;
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const addr = http.address();
  const n = { io, http, pub, adapter, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` };
  nodes.push(n);
  return n;
}

async function stop(n: Node): Promise<void> {
  await new Promise<void>((r) => n.io.close(() => r()));
  await n.adapter.close();
  n.pub.disconnect();
  nodes.splice(nodes.indexOf(n), 1);
}

async function client(n: Node): Promise<Socket> {
  const s = ioc(`${n.url}/one`, { transports: ['websocket'], forceNew: true });
  await new Promise<void>((r, j) => (s.once('connect', () => r()), s.once('connect_error', j)));
  return s;
}

const streamLength = () => redis.xlen(stream);

afterAll(async () => {
  for (const n of [...nodes]) await stop(n);
  await deleteRedisPrefix(prefix);
  redis.disconnect();
});

it('skips the stream only while alone, and a new instance gets every broadcast from its first socket on', async () => {
  const a = await node();
  // "Alone" is trusted from 2 heartbeats after this instance entered the set.
  await sleep(3 * HEARTBEAT_MS);
  for (let i = 0; i < 20; i++) a.io.of('/one').to('r').emit('m', `alone-${i}`);
  await sleep(50);
  expect(await streamLength()).toBe(0);

  // A second instance: once it listens, the first one already sends it what it broadcasts.
  const b = await node();
  const onB = await client(b);
  const seen: string[] = [];
  onB.on('m', (v: string) => seen.push(v));
  a.io.of('/one').to('r').emit('m', 'first');
  await eventually(async () => seen.includes('first'));
  expect(await streamLength()).toBeGreaterThan(0);

  // Redis loses the set (a restart without persistence): while both live, the first never skips.
  await redis.del(`${stream}:instances`);
  for (let i = 0; i < 60; i++) {
    a.io.of('/one').to('r').emit('m', `after-loss-${i}`);
    await sleep(HEARTBEAT_MS / 10);
  }
  await eventually(async () => seen.length === 61);
  expect(seen.slice(1)).toEqual(Array.from({ length: 60 }, (_, i) => `after-loss-${i}`));

  // The second leaves: the first is alone again (once the window that follows the set's loss is over).
  onB.disconnect();
  await stop(b);
  await eventually(async () => {
    const at = await streamLength();
    a.io.of('/one').to('r').emit('m', 'probe');
    await sleep(30);
    return (await streamLength()) === at;
  });
  const before = await streamLength();
  for (let i = 0; i < 20; i++) a.io.of('/one').to('r').emit('m', `alone-again-${i}`);
  await sleep(50);
  expect(await streamLength()).toBe(before);
});

it('holds a new instance until the live ones have seen it, and does not wait for a dead one', async () => {
  // A crashed instance's entry (no heartbeat for a while) is still in the set.
  await redis.zadd(`${stream}:instances`, Date.now() - 10 * HEARTBEAT_MS, 'crashed-instance');
  const started = performance.now();
  const c = await node();
  expect(performance.now() - started).toBeLessThan(10 * HEARTBEAT_MS);
  const d0 = performance.now();
  const d = await node();
  // The live instance (c) must heartbeat at least one heartbeat after d arrived.
  expect(performance.now() - d0).toBeGreaterThanOrEqual(HEARTBEAT_MS);
  const onD = await client(d);
  const got = new Promise<string>((r) => onD.once('m', r));
  c.io.of('/one').to('r').emit('m', 'hello');
  await expect(got).resolves.toBe('hello');
  onD.disconnect();
});

it('does not take itself for alone after Redis lost the set while another instance lives', async () => {
  const key = `${prefix}:lost`;
  const a = trackMembers(redis, { key, instanceId: 'a', heartbeatMs: HEARTBEAT_MS });
  await a.joined;
  // Another live instance, heartbeating by hand.
  const beatOther = async () => {
    const [s, us] = await redis.time();
    await redis.zadd(key, Number(s) * 1000 + Math.floor(Number(us) / 1000), 'other');
  };
  await beatOther();
  await sleep(2 * HEARTBEAT_MS);
  expect(a.alone()).toBe(false);
  // Redis loses everything; the other instance heartbeats again only 4 heartbeats later (past the 2 of
  // distrust after finding itself missing): having seen it, this one distrusts "alone" for never-alone.
  await redis.del(key);
  const end = performance.now() + 4 * HEARTBEAT_MS;
  let aloneSeen = false;
  while (performance.now() < end) {
    aloneSeen ||= a.alone();
    await sleep(5);
  }
  await beatOther();
  for (let i = 0; i < 10; i++) {
    aloneSeen ||= a.alone();
    await sleep(HEARTBEAT_MS / 5);
  }
  expect(aloneSeen).toBe(false);
  await a.leave();
});

/** Redis's clock, as the heartbeat script reads it. */
async function redisNow(): Promise<number> {
  const [s, us] = await redis.time();
  return Number(s) * 1000 + Math.floor(Number(us) / 1000);
}

it('is not alone for never-alone after another member was last seen, also once that one was removed as dead', async () => {
  const key = `${prefix}:never`;
  const NEVER_ALONE_MS = 1500;
  const a = trackMembers(redis, { key, instanceId: 'a', heartbeatMs: HEARTBEAT_MS, deadAfterMs: 3 * HEARTBEAT_MS, neverAloneMs: NEVER_ALONE_MS });
  await a.joined;
  // Another instance heartbeats once, then vanishes (crashed, or cut off from Redis with its sockets).
  const lastBeat = await redisNow();
  await redis.zadd(key, lastBeat, 'other');
  await eventually(async () => (await redis.zscore(key, 'other')) === null);
  expect(Number(await redis.get(`${key}:gone`))).toBe(lastBeat);
  // Removed as dead, but seen too recently: never alone until its last heartbeat is never-alone old.
  while ((await redisNow()) < lastBeat + NEVER_ALONE_MS - HEARTBEAT_MS) {
    expect(a.alone()).toBe(false);
    await sleep(HEARTBEAT_MS / 4);
  }
  await eventually(async () => a.alone());
  expect(await redisNow()).toBeGreaterThanOrEqual(lastBeat + NEVER_ALONE_MS);
  await a.leave();
});

it('calls onAway when its heartbeats stopped for never-alone or more, and not after a shorter cut', async () => {
  const key = `${prefix}:away`;
  const NEVER_ALONE_MS = 1000;
  const proxy = await tcpProxy();
  const conn = new Redis(`redis://127.0.0.1:${proxy.port}`, { maxRetriesPerRequest: null, retryStrategy: () => 20 });
  conn.on('error', () => {});
  const aways: number[] = [];
  const m = trackMembers(conn, { key, instanceId: 'c', heartbeatMs: HEARTBEAT_MS, deadAfterMs: 3 * HEARTBEAT_MS, neverAloneMs: NEVER_ALONE_MS, onAway: (ms) => aways.push(ms) });
  try {
    await m.joined;
    const beatAfter = async (t: number) => eventually(async () => Number(await redis.zscore(key, 'c')) > t);
    // Cut for half the window: back without a call.
    proxy.cut();
    await sleep(NEVER_ALONE_MS / 2);
    proxy.heal();
    await beatAfter(await redisNow());
    expect(aways).toEqual([]);
    // Cut for longer than the window: one call, with how long it was away.
    proxy.cut();
    await sleep(NEVER_ALONE_MS + 300);
    proxy.heal();
    await beatAfter(await redisNow());
    await eventually(async () => aways.length > 0);
    expect(aways).toHaveLength(1);
    expect(aways[0]).toBeGreaterThanOrEqual(NEVER_ALONE_MS);
  } finally {
    await m.leave();
    conn.disconnect();
    await proxy.close();
  }
});
