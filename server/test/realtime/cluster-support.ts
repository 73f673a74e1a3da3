// Socket.IO servers on one real Redis with the stock cross-instance adapter, for the conformance suite
// and the partition test (issue 16). Each server's Redis connection is made as the platform makes it
// (redisFactory's blocking, auto-pipelined client), optionally through a TCP proxy of its own so that
// one instance can lose Redis while the others keep it.
import { createServer, type Server as HttpServer } from 'node:http';
import net from 'node:net';
import type { Redis } from 'ioredis';
import { Server, type ServerOptions } from 'socket.io';
import type { Adapter } from 'socket.io-adapter';
import type { Namespace } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { redisFactory } from '../../src/infra/redis.js';
import { clusterAdapter } from '../../src/realtime/cluster.js';
import { TEST_REDIS_URL } from '../helpers.js';

/**
 * `stock` is the adapter as the platform runs it (onlyPlaintext, server/src/realtime/cluster.ts);
 * `stock-defaults` is the stock adapter with the options of its own test suite.
 */
export type Profile = 'stock' | 'stock-defaults';

export interface NodeOptions {
  /** Key prefix of this run: stream, channels, members and sessions live under it. */
  prefix: string;
  serverOptions?: Partial<ServerOptions>;
  readCount?: number;
  maxLen?: number;
  /** Reach Redis through this proxy instead of directly. */
  proxy?: TcpProxy;
}

export interface Node {
  io: Server;
  http: HttpServer;
  port: number;
  url: string;
  pub: Redis;
  close(): Promise<void>;
}

/** One instance, started as buildApp starts one. */
export async function startNode(profile: Profile, opts: NodeOptions): Promise<Node> {
  const url = opts.proxy ? `redis://127.0.0.1:${opts.proxy.port}` : TEST_REDIS_URL;
  const pub = redisFactory(url, opts.prefix).create({ blocking: true, name: 'socketio-adapter', autoPipeline: true, readyCheck: false });
  const names = { streamName: `${opts.prefix}:socket.io`, channelPrefix: `${opts.prefix}:socket.io` };
  let factory: (nsp: Namespace) => Adapter;
  let closeAdapter = async () => {};
  if (profile === 'stock-defaults') {
    factory = createAdapter(pub, { ...names, readCount: opts.readCount ?? 100, sessionKeyPrefix: `${opts.prefix}:session:` }) as unknown as typeof factory;
  } else {
    const a = clusterAdapter(pub, { ...names, readCount: opts.readCount, maxLen: opts.maxLen });
    factory = a.factory;
    closeAdapter = () => a.close();
  }
  const http = createServer();
  const io = new Server(http, { ...opts.serverOptions, adapter: factory });
  const port = await new Promise<number>((resolve) => http.listen(0, '127.0.0.1', () => resolve((http.address() as net.AddressInfo).port)));
  return {
    io,
    http,
    port,
    url: `http://127.0.0.1:${port}`,
    pub,
    close: async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await closeAdapter();
      // QUIT after what is still pending (the stock adapter leaves some of its commands unawaited).
      await Promise.race([pub.quit().catch(() => {}), new Promise((r) => setTimeout(r, 1000))]);
      pub.disconnect();
    },
  };
}

export interface TcpProxy {
  port: number;
  /** Reset every open connection and refuse new ones until heal(): Redis gone, as after a crash. */
  cut(): void;
  /** Forward nothing, in either direction, but keep the connections: a network partition. */
  pause(): void;
  /** Back to normal (after either). */
  heal(): void;
  close(): Promise<void>;
}

/** A TCP proxy to the test Redis (after server/test/faults/support.ts's, with a partition mode). */
export async function tcpProxy(target = new URL(TEST_REDIS_URL)): Promise<TcpProxy> {
  let state: 'up' | 'cut' | 'paused' = 'up';
  const pairs = new Set<[net.Socket, net.Socket]>();
  // Unpiped and paused, a socket keeps what arrives in its buffers (pipe's own back-pressure could resume
  // a socket that was merely paused).
  const connect = ([a, b]: [net.Socket, net.Socket]) => (a.pipe(b), b.pipe(a));
  const hold = ([a, b]: [net.Socket, net.Socket]) => (a.unpipe(b), b.unpipe(a), a.pause(), b.pause());
  const server = net.createServer((client) => {
    if (state === 'cut') {
      client.destroy();
      return;
    }
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    const pair: [net.Socket, net.Socket] = [client, upstream];
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    // A connection opened during a partition hangs like the others.
    if (state === 'up') connect(pair);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  return {
    port,
    cut() {
      state = 'cut';
      for (const pair of pairs) for (const s of pair) s.destroy();
      pairs.clear();
    },
    pause() {
      state = 'paused';
      for (const pair of pairs) hold(pair);
    },
    heal() {
      if (state === 'paused') for (const pair of pairs) connect(pair);
      state = 'up';
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const pair of pairs) for (const s of pair) s.destroy();
        server.close(() => resolve());
      }),
  };
}
