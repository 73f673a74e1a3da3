// The cross-instance adapter on a real Redis, with two Socket.IO servers: broadcasts reach the other
// instance's sockets once and in emit order (across namespaces too), local sockets get them once,
// fetchSockets and disconnectSockets span both instances.
import { createServer, type Server as HttpServer } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { io as ioc, type Socket } from 'socket.io-client';
import { streamsAdapter, type StreamsAdapter } from '../../src/realtime/adapter.js';
import { deleteRedisPrefix, eventually, TEST_REDIS_URL, uid } from '../helpers.js';

interface Node {
  io: Server;
  http: HttpServer;
  pub: Redis;
  adapter: StreamsAdapter;
  url: string;
}
const prefix = `adapter${uid()}`;
let a: Node;
let b: Node;

async function node(): Promise<Node> {
  const pub = new Redis(TEST_REDIS_URL, { enableAutoPipelining: true, maxRetriesPerRequest: null });
  const adapter = streamsAdapter(pub, { streamName: `${prefix}:stream`, channelPrefix: `${prefix}:ch` });
  const http = createServer();
  const io = new Server(http, { transports: ['websocket'], adapter: adapter.factory });
  for (const name of ['/one', '/two']) {
    io.of(name).on('connection', (s) => {
      const { room, who } = s.handshake.auth as { room: string; who: string };
      s.data = { who };
      void s.join(room);
    });
  }
  // As buildApp: listen once the other instance knows of this one.
  await adapter.joined;
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  const addr = http.address();
  return { io, http, pub, adapter, url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}` };
}

async function client(n: Node, nsp: string, room: string, who: string): Promise<Socket> {
  const s = ioc(`${n.url}${nsp}`, { transports: ['websocket'], forceNew: true, auth: { room, who } });
  await new Promise<void>((r, j) => (s.once('connect', () => r()), s.once('connect_error', j)));
  return s;
}

beforeAll(async () => {
  a = await node();
  b = await node();
  // Both readers are blocked on the stream before anything is sent.
  await new Promise((r) => setTimeout(r, 200));
});
afterAll(async () => {
  for (const n of [a, b]) {
    await new Promise<void>((r) => n.io.close(() => r()));
    await n.adapter.close();
    n.pub.disconnect();
  }
  await deleteRedisPrefix(prefix);
});

it('delivers a turn of broadcasts to both instances once each, in emit order, across namespaces', async () => {
  const onA = await client(a, '/one', 'r1', 'x');
  const onB = await client(b, '/one', 'r1', 'y');
  const onBTwo = await client(b, '/two', 'r1', 'z');
  const seen: Record<string, string[]> = { a: [], b: [], bTwo: [] };
  onA.on('m', (v: string) => seen.a!.push(v));
  onB.on('m', (v: string) => seen.b!.push(v));
  onBTwo.on('m', (v: string) => seen.bTwo!.push(v));
  for (let i = 0; i < 50; i++) {
    a.io.of('/one').to('r1').emit('m', `one-${i}`);
    a.io.of('/two').to('r1').emit('m', `two-${i}`);
    if (i % 10 === 9) await new Promise((r) => setImmediate(r));
  }
  await eventually(async () => seen.a!.length === 50 && seen.b!.length === 50 && seen.bTwo!.length === 50);
  await new Promise((r) => setTimeout(r, 200));
  const expected = (p: string) => Array.from({ length: 50 }, (_, i) => `${p}-${i}`);
  expect(seen.a).toEqual(expected('one'));
  expect(seen.b).toEqual(expected('one'));
  expect(seen.bTwo).toEqual(expected('two'));
  for (const s of [onA, onB, onBTwo]) s.disconnect();
});

it('fetches and disconnects sockets on both instances', async () => {
  const onA = await client(a, '/one', 'r2', 'on-a');
  const onB = await client(b, '/one', 'r2', 'on-b');
  const found = await a.io.of('/one').in('r2').fetchSockets();
  expect(found.map((s) => (s.data as { who: string }).who).sort()).toEqual(['on-a', 'on-b']);
  const gone = Promise.all([onA, onB].map((s) => new Promise<void>((r) => s.once('disconnect', () => r()))));
  a.io.of('/one').in('r2').disconnectSockets(true);
  await gone;
  expect(await b.io.of('/one').in('r2').fetchSockets()).toEqual([]);
});

it('delivers an entry once when it is appended twice (ioredis resends an XADD whose answer was lost)', async () => {
  const onB = await client(b, '/one', 'twice', 'w');
  const got: string[] = [];
  onB.on('m', (v: string) => got.push(v));
  a.io.of('/one').to('twice').emit('m', 'once');
  await eventually(async () => got.length === 1);
  const [last] = await a.pub.xrevrange(`${prefix}:stream`, '+', '-', 'COUNT', 1);
  await a.pub.xadd(`${prefix}:stream`, '*', ...last![1]);
  // A later broadcast of the same instance as a fence: once it is in, the copy was read too.
  a.io.of('/one').to('twice').emit('m', 'fence');
  await eventually(async () => got.includes('fence'));
  expect(got).toEqual(['once', 'fence']);
  onB.disconnect();
});
