// A lone instance skips the Redis stream, on the real Redis: it appends nothing while alone, a new
// instance is known to it before the new one takes sockets (so no broadcast for the new one's sockets is
// skipped), it is alone again after the other leaves, and a set that Redis lost never makes it skip
// while the other instance is alive.
import { createServer, type Server as HttpServer } from 'node:http';
import { afterAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { io as ioc, type Socket } from 'socket.io-client';
import { streamsAdapter, type StreamsAdapter } from '../../src/realtime/adapter.js';
import { trackMembers } from '../../src/realtime/members.js';
import { deleteRedisPrefix, eventually, TEST_REDIS_URL, uid } from '../helpers.js';

const HEARTBEAT_MS = 100;
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
  const adapter = streamsAdapter(pub, { streamName: stream, channelPrefix: `${prefix}:ch`, heartbeatMs: HEARTBEAT_MS });
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

  // The second leaves: the first is alone again within a few heartbeats.
  onB.disconnect();
  await stop(b);
  await sleep(4 * HEARTBEAT_MS);
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
  // Redis loses everything; the other instance comes back only after this instance's next heartbeat.
  await redis.del(key);
  const end = performance.now() + 1.5 * HEARTBEAT_MS;
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
