// The test suite of @socket.io/redis-streams-adapter, ported to vitest and run against both adapters
// the platform can use (issue 16: ours stays only if it passes the stock adapter's own tests).
//
// Source: https://github.com/socketio/socket.io-redis-streams-adapter, test/index.ts,
// test/connection-state-recovery.ts and test/util.ts at release 0.3.1 (commit e4e38eb).
// Copyright (c) 2023 The Socket.IO team, MIT licence: permission is granted to use, copy, modify and
// distribute it provided the copyright notice and the permission notice are kept:
// "The above copyright notice and this permission notice shall be included in all copies or
// substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND."
//
// What changed in the port, and why:
//  - mocha `done` callbacks became promises (`scenario`); an expectation failing inside an event handler
//    fails its test instead of the process;
//  - a test that says a socket or server must NOT receive something ends with a fence: the same emitter
//    broadcasts once more to everyone and every receiver waits for it, so a forbidden delivery (which
//    would travel ahead of the fence) is seen, where the original ended at the first expected delivery;
//  - each test gets its own stream and channel prefix on the shared Redis, deleted afterwards;
//  - the three profiles: `ours` (server/src/realtime/adapter.ts with members.ts; the first instance is
//    alone, skipping the stream, before the second and third join, as instances start in production),
//    `stock` (the stock adapter as SOCKETIO_ADAPTER=stock runs it, with onlyPlaintext) and
//    `stock-defaults` (the stock adapter with its suite's own options);
//  - the Redis Cluster, sharded pub/sub, multi-stream and node-redis variants of its runner are left
//    out: the platform runs one Redis through ioredis.
// A test known to fail on a profile runs as `it.fails` with the reason next to it (and fails if it
// starts passing): docs/realtime-adapter.md gives the list.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { Server, Socket as ServerSocket, ServerOptions } from 'socket.io';
import { io as ioc, type Socket as ClientSocket } from 'socket.io-client';
import { deleteRedisPrefix, eventually, TEST_REDIS_URL, uid } from '../helpers.js';
import { startNode, type Node, type Profile } from './cluster-support.js';

const NODES_COUNT = 3;
const HEARTBEAT_MS = 100;
const TEST_MS = 12_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Tests expected to fail on a profile, and why (checked: they must fail there). */
const KNOWN_FAILURES: Record<Profile, Record<string, string>> = {
  ours: {
    // Entries and pub/sub messages are JSON: a Buffer reaches other instances as {type, data}.
    'broadcasts to all clients': 'JSON only, the Buffer argument arrives as an object on other instances',
    'broadcasts with multiple acknowledgements (binary content)': 'JSON only, Buffer acks from other instances arrive as objects',
    // No persistSession/restoreSession (the platform resumes by message seq from Postgres), and one
    // stream entry per turn would give several packets the same offset.
    'should restore the session': 'no connection state recovery',
    'should restore any missed packets': 'no connection state recovery',
  },
  stock: {
    'broadcasts to all clients': 'onlyPlaintext (as the platform ran it): the Buffer argument arrives as an object on other instances',
  },
  'stock-defaults': {},
};

interface Context {
  servers: Server[];
  serverSockets: ServerSocket[];
  clientSockets: ClientSocket[];
  ports: number[];
  cleanup(): Promise<void>;
}

/** util.ts's setup(): three servers on one Redis, one client connected to each. */
async function setup(profile: Profile, prefix: string, serverOptions: Partial<ServerOptions> = {}): Promise<Context> {
  const nodes: Node[] = [];
  const serverSockets: ServerSocket[] = [];
  const clientSockets: ClientSocket[] = [];
  const probe = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    for (let i = 0; i < NODES_COUNT; i++) {
      const node = await startNode(profile, { prefix, serverOptions, readCount: 1, heartbeatMs: HEARTBEAT_MS });
      nodes.push(node);
      if (profile === 'ours' && i === 0) {
        // The first instance really is alone (its broadcasts leave nothing in the stream) before the
        // others join: the suite then runs on instances that went from alone to joined.
        const stream = `${prefix}:socket.io`;
        await eventually(async () => {
          const before = await probe.xlen(stream);
          node.io.emit('alone-probe');
          await sleep(30);
          return (await probe.xlen(stream)) === before;
        });
      }
      const serverSocket = new Promise<ServerSocket>((resolve) => node.io.once('connection', resolve));
      clientSockets.push(ioc(node.url));
      serverSockets.push(await serverSocket);
    }
    // Neither adapter says when its subscription and its stream reader are in place (ours' `joined` is
    // about the other instances). The original suite raced them; here a test starts once every server is
    // subscribed and a broadcast from each has reached every client.
    const channel = `${prefix}:socket.io#/#`;
    await eventually(async () => Number(((await probe.pubsub('NUMSUB', channel)) as [string, number])[1]) === NODES_COUNT);
    await eventually(async () => {
      const tag = uid(3);
      const got = clientSockets.map(
        (c) =>
          new Promise<void>((resolve) => {
            let n = 0;
            c.on('ready', (t: string) => t === tag && ++n === NODES_COUNT && resolve());
          }),
      );
      nodes.forEach((n) => n.io.emit('ready', tag));
      const ok = await Promise.race([Promise.all(got).then(() => true), sleep(500).then(() => false)]);
      for (const c of clientSockets) c.off('ready');
      return ok;
    });
  } finally {
    probe.disconnect();
  }
  return {
    servers: nodes.map((n) => n.io),
    serverSockets,
    clientSockets,
    ports: nodes.map((n) => n.port),
    cleanup: async () => {
      for (const s of clientSockets) s.disconnect();
      await Promise.all(nodes.map((n) => n.close()));
    },
  };
}

/** A mocha-style test body: resolves at done(), rejects at done(err), an exception in a handler or a timeout. */
function scenario(ms = TEST_MS - 2000) {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  let finished = false;
  let late: unknown = null;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  const timer = setTimeout(() => done(new Error('timed out waiting for done()')), ms);
  function done(err?: unknown): void {
    if (finished) {
      // What mocha reports as "done() called multiple times" or a failure after the end.
      late ??= err ?? new Error('done() called again');
      return;
    }
    finished = true;
    clearTimeout(timer);
    if (err) reject(err);
    else resolve();
  }
  function guard<A extends unknown[]>(fn: (...args: A) => unknown): (...args: A) => void {
    return (...args: A) => {
      try {
        const r = fn(...args);
        if (r instanceof Promise) r.catch(done);
      } catch (e) {
        done(e);
      }
    };
  }
  return {
    done,
    guard,
    promise,
    /** After the fence: anything that arrived where it should not have. */
    checkLate() {
      if (late) throw late;
    },
  };
}

function times(count: number, fn: (err?: unknown) => void): () => void {
  let i = 0;
  return () => {
    i++;
    if (i === count) fn();
    else if (i > count) fn(new Error(`too many calls: ${i} instead of ${count}`));
  };
}

const shouldNotHappen = (done: (err?: unknown) => void) => () => done(new Error('should not happen'));

function suite(profile: Profile) {
  const test = (name: string, fn: () => Promise<void>) => {
    const reason = KNOWN_FAILURES[profile][name];
    if (reason) it.fails(`${name} [known failure: ${reason}]`, fn, TEST_MS);
    else it(name, fn, TEST_MS);
  };

  describe(`${profile}: common`, () => {
    let prefix: string;
    let servers: Server[];
    let serverSockets: ServerSocket[];
    let clientSockets: ClientSocket[];
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      prefix = `conf${uid()}`;
      ({ servers, serverSockets, clientSockets, cleanup } = await setup(profile, prefix));
    });
    afterEach(async () => {
      await cleanup();
      await deleteRedisPrefix(prefix);
    });

    /** Every client has received one more broadcast of servers[0]: whatever it sent before has landed. */
    async function fence(): Promise<void> {
      const got = clientSockets.map((c) => new Promise<void>((r) => c.once('fence', () => r())));
      servers[0]!.emit('fence');
      await Promise.all(got);
    }
    /** Same for serverSideEmit, sent by servers[1] so that servers[0] receives it too. */
    async function serverSideFence(): Promise<void> {
      const got = [0, 2].map((i) => new Promise<void>((r) => servers[i]!.once('fence', () => r())));
      servers[1]!.serverSideEmit('fence');
      await Promise.all(got);
    }

    describe('broadcast', () => {
      test('broadcasts to all clients', async () => {
        const { done, guard, promise, checkLate } = scenario();
        const partialDone = times(3, done);
        clientSockets.forEach((clientSocket) => {
          clientSocket.on(
            'test',
            guard((arg1: unknown, arg2: unknown, arg3: unknown) => {
              expect(arg1).toEqual(1);
              expect(arg2).toEqual('2');
              expect(Buffer.isBuffer(arg3)).toBe(true);
              partialDone();
            }),
          );
        });
        servers[0]!.emit('test', 1, '2', Buffer.from([3, 4]));
        await promise;
        await fence();
        checkLate();
      });

      test('broadcasts to all clients in a namespace', async () => {
        const { done, guard, promise } = scenario();
        const partialDone = times(3, done);
        servers.forEach((server) => server.of('/custom'));
        const onConnect = times(3, async () => {
          await sleep(200);
          servers[0]!.of('/custom').emit('test');
        });
        clientSockets.forEach((clientSocket) => {
          const socket = clientSocket.io.socket('/custom');
          socket.on('connect', guard(onConnect));
          socket.on('test', () => {
            socket.disconnect();
            partialDone();
          });
        });
        await promise;
      });

      test('broadcasts to all clients in a room', async () => {
        const { done, promise, checkLate } = scenario();
        void serverSockets[1]!.join('room1');
        clientSockets[0]!.on('test', shouldNotHappen(done));
        clientSockets[1]!.on('test', () => done());
        clientSockets[2]!.on('test', shouldNotHappen(done));
        servers[0]!.to('room1').emit('test');
        await promise;
        await fence();
        checkLate();
      });

      test('broadcasts to all clients except in room', async () => {
        const { done, promise, checkLate } = scenario();
        const partialDone = times(2, done);
        void serverSockets[1]!.join('room1');
        clientSockets[0]!.on('test', () => partialDone());
        clientSockets[1]!.on('test', shouldNotHappen(done));
        clientSockets[2]!.on('test', () => partialDone());
        servers[0]!.of('/').except('room1').emit('test');
        await promise;
        await fence();
        checkLate();
      });

      test('broadcasts to local clients only', async () => {
        const { done, promise, checkLate } = scenario();
        clientSockets[0]!.on('test', () => done());
        clientSockets[1]!.on('test', shouldNotHappen(done));
        clientSockets[2]!.on('test', shouldNotHappen(done));
        servers[0]!.local.emit('test');
        await promise;
        await fence();
        checkLate();
      });

      test('broadcasts with multiple acknowledgements', async () => {
        const { done, guard, promise } = scenario();
        clientSockets[0]!.on('test', (cb: (v: unknown) => void) => cb(1));
        clientSockets[1]!.on('test', (cb: (v: unknown) => void) => cb(2));
        clientSockets[2]!.on('test', (cb: (v: unknown) => void) => cb(3));
        servers[0]!.timeout(500).emit(
          'test',
          guard((err: Error | null, responses: unknown[]) => {
            expect(err).toBe(null);
            expect(responses).toContain(1);
            expect(responses).toContain(2);
            expect(responses).toContain(3);
            setTimeout(
              guard(() => {
                expect((servers[0]!.of('/').adapter as unknown as { ackRequests: Map<string, unknown> }).ackRequests.size).toEqual(0);
                done();
              }),
              500,
            );
          }),
        );
        await promise;
      });

      test('broadcasts with multiple acknowledgements (binary content)', async () => {
        const { done, guard, promise } = scenario();
        clientSockets[0]!.on('test', (cb: (v: unknown) => void) => cb(Buffer.from([1])));
        clientSockets[1]!.on('test', (cb: (v: unknown) => void) => cb(Buffer.from([2])));
        clientSockets[2]!.on('test', (cb: (v: unknown) => void) => cb(Buffer.from([3])));
        servers[0]!.timeout(500).emit(
          'test',
          guard((err: Error | null, responses: unknown[]) => {
            expect(err).toBe(null);
            responses.forEach((response) => {
              expect(Buffer.isBuffer(response)).toBe(true);
            });
            done();
          }),
        );
        await promise;
      });

      test('broadcasts with multiple acknowledgements (no client)', async () => {
        const { done, guard, promise } = scenario();
        servers[0]!
          .to('abc')
          .timeout(500)
          .emit(
            'test',
            guard((err: Error | null, responses: unknown[]) => {
              expect(err).toBe(null);
              expect(responses).toEqual([]);
              done();
            }),
          );
        await promise;
      });

      test('broadcasts with multiple acknowledgements (timeout)', async () => {
        const { done, guard, promise } = scenario();
        clientSockets[0]!.on('test', (cb: (v: unknown) => void) => cb(1));
        clientSockets[1]!.on('test', (cb: (v: unknown) => void) => cb(2));
        clientSockets[2]!.on('test', () => {
          // do nothing
        });
        servers[0]!.timeout(500).emit(
          'test',
          guard((err: Error | null, responses: unknown[]) => {
            expect(err).toBeInstanceOf(Error);
            expect(responses).toContain(1);
            expect(responses).toContain(2);
            done();
          }),
        );
        await promise;
      });

      test('broadcasts with a single acknowledgement (local)', async () => {
        const unexpected: string[] = [];
        clientSockets[0]!.on('test', () => unexpected.push('client 0'));
        clientSockets[1]!.on('test', (cb: (v: unknown) => void) => cb(2));
        clientSockets[2]!.on('test', () => unexpected.push('client 2'));
        const response = await serverSockets[1]!.emitWithAck('test');
        expect(response).toEqual(2);
        await fence();
        expect(unexpected).toEqual([]);
      });

      test('broadcasts with a single acknowledgement (remote)', async () => {
        const unexpected: string[] = [];
        clientSockets[0]!.on('test', () => unexpected.push('client 0'));
        clientSockets[1]!.on('test', (cb: (v: unknown) => void) => cb(2));
        clientSockets[2]!.on('test', () => unexpected.push('client 2'));
        const sockets = await servers[0]!.in(serverSockets[1]!.id).fetchSockets();
        expect(sockets.length).toEqual(1);
        const response = await sockets[0]!.timeout(500).emitWithAck('test');
        expect(response).toEqual(2);
        await fence();
        expect(unexpected).toEqual([]);
      });
    });

    describe('socketsJoin', () => {
      test('makes all socket instances join the specified room', async () => {
        servers[0]!.socketsJoin('room1');
        await sleep(300);
        expect(serverSockets[0]!.rooms.has('room1')).toBe(true);
        expect(serverSockets[1]!.rooms.has('room1')).toBe(true);
        expect(serverSockets[2]!.rooms.has('room1')).toBe(true);
      });

      test('makes the matching socket instances join the specified room', async () => {
        void serverSockets[0]!.join('room1');
        void serverSockets[2]!.join('room1');
        servers[0]!.in('room1').socketsJoin('room2');
        await sleep(300);
        expect(serverSockets[0]!.rooms.has('room2')).toBe(true);
        expect(serverSockets[1]!.rooms.has('room2')).toBe(false);
        expect(serverSockets[2]!.rooms.has('room2')).toBe(true);
      });

      test('makes the given socket instance join the specified room', async () => {
        servers[0]!.in(serverSockets[1]!.id).socketsJoin('room3');
        await sleep(300);
        expect(serverSockets[0]!.rooms.has('room3')).toBe(false);
        expect(serverSockets[1]!.rooms.has('room3')).toBe(true);
        expect(serverSockets[2]!.rooms.has('room3')).toBe(false);
      });
    });

    describe('socketsLeave', () => {
      test('makes all socket instances leave the specified room', async () => {
        void serverSockets[0]!.join('room1');
        void serverSockets[2]!.join('room1');
        servers[0]!.socketsLeave('room1');
        await sleep(300);
        expect(serverSockets[0]!.rooms.has('room1')).toBe(false);
        expect(serverSockets[1]!.rooms.has('room1')).toBe(false);
        expect(serverSockets[2]!.rooms.has('room1')).toBe(false);
      });

      test('makes the matching socket instances leave the specified room', async () => {
        void serverSockets[0]!.join(['room1', 'room2']);
        void serverSockets[1]!.join(['room1', 'room2']);
        void serverSockets[2]!.join(['room2']);
        servers[0]!.in('room1').socketsLeave('room2');
        await sleep(300);
        expect(serverSockets[0]!.rooms.has('room2')).toBe(false);
        expect(serverSockets[1]!.rooms.has('room2')).toBe(false);
        expect(serverSockets[2]!.rooms.has('room2')).toBe(true);
      });

      test('makes the given socket instance leave the specified room', async () => {
        void serverSockets[0]!.join('room3');
        void serverSockets[1]!.join('room3');
        void serverSockets[2]!.join('room3');
        servers[0]!.in(serverSockets[1]!.id).socketsLeave('room3');
        await sleep(300);
        expect(serverSockets[0]!.rooms.has('room3')).toBe(true);
        expect(serverSockets[1]!.rooms.has('room3')).toBe(false);
        expect(serverSockets[2]!.rooms.has('room3')).toBe(true);
      });
    });

    describe('disconnectSockets', () => {
      test('makes all socket instances disconnect', async () => {
        const { done, guard, promise } = scenario();
        const partialDone = times(3, done);
        clientSockets.forEach((clientSocket) => {
          clientSocket.on(
            'disconnect',
            guard((reason: string) => {
              expect(reason).toEqual('io server disconnect');
              partialDone();
            }),
          );
        });
        servers[0]!.disconnectSockets();
        await promise;
      });

      test('sends a packet before all socket instances disconnect', async () => {
        const { done, promise } = scenario();
        const partialDone = times(3, done);
        clientSockets.forEach((clientSocket) => {
          clientSocket.on('disconnect', shouldNotHappen(done));
          clientSocket.on('bye', () => {
            clientSocket.off('disconnect');
            clientSocket.on('disconnect', partialDone);
          });
        });
        servers[0]!.emit('bye');
        servers[0]!.disconnectSockets(true);
        await promise;
      });
    });

    describe('fetchSockets', () => {
      test('returns all socket instances', async () => {
        const sockets = await servers[0]!.fetchSockets();
        expect(sockets).toBeInstanceOf(Array);
        expect(sockets).toHaveLength(3);
        expect((servers[0]!.of('/').adapter as unknown as { requests: Map<string, unknown> }).requests.size).toEqual(0); // clean up
      });

      test('returns a single socket instance', async () => {
        serverSockets[1]!.data = 'test';
        const [remoteSocket] = await servers[0]!.in(serverSockets[1]!.id).fetchSockets();
        expect(remoteSocket!.handshake).toEqual(serverSockets[1]!.handshake);
        expect(remoteSocket!.data).toEqual('test');
        expect(remoteSocket!.rooms.size).toEqual(1);
      });

      test('returns only local socket instances', async () => {
        const sockets = await servers[0]!.local.fetchSockets();
        expect(sockets).toHaveLength(1);
      });
    });

    describe('serverSideEmit', () => {
      test('sends an event to other server instances', async () => {
        const { done, guard, promise, checkLate } = scenario();
        const partialDone = times(2, done);
        servers[0]!.serverSideEmit('hello', 'world', 1, '2');
        servers[0]!.on('hello', shouldNotHappen(done));
        servers[1]!.on(
          'hello',
          guard((arg1: unknown, arg2: unknown, arg3: unknown) => {
            expect(arg1).toEqual('world');
            expect(arg2).toEqual(1);
            expect(arg3).toEqual('2');
            partialDone();
          }),
        );
        servers[2]!.of('/').on('hello', () => partialDone());
        await promise;
        await serverSideFence();
        checkLate();
      });

      test('sends an event and receives a response from the other server instances', async () => {
        const { done, guard, promise, checkLate } = scenario();
        servers[0]!.serverSideEmit(
          'hello',
          guard((err: Error | null, response: unknown) => {
            expect(err).toBe(null);
            expect(response).toBeInstanceOf(Array);
            expect(response).toContain(2);
            expect(response).toContain('3');
            done();
          }),
        );
        servers[0]!.on('hello', shouldNotHappen(done));
        servers[1]!.on('hello', (cb: (v: unknown) => void) => cb(2));
        servers[2]!.on('hello', (cb: (v: unknown) => void) => cb('3'));
        await promise;
        await serverSideFence();
        checkLate();
      });

      test('sends an event but timeout if one server does not respond', async () => {
        const { done, guard, promise } = scenario();
        servers[0]!.serverSideEmit(
          'hello',
          guard((err: Error, response: unknown) => {
            expect(err.message).toBe('timeout reached: only 1 responses received out of 2');
            expect(response).toBeInstanceOf(Array);
            expect(response).toContain(2);
            done();
          }),
        );
        servers[0]!.on('hello', shouldNotHappen(done));
        servers[1]!.on('hello', (cb: (v: unknown) => void) => cb(2));
        servers[2]!.on('hello', () => {
          // do nothing
        });
        await promise;
      });

      // Skipped in the original suite too ("succeeds even if an instance leaves the cluster").
    });
  });

  describe(`${profile}: connection state recovery`, () => {
    let prefix: string;
    let servers: Server[];
    let ports: number[];
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      prefix = `conf${uid()}`;
      ({ servers, ports, cleanup } = await setup(profile, prefix, { connectionStateRecovery: { maxDisconnectionDuration: 5000 } }));
    });
    afterEach(async () => {
      await cleanup();
      await deleteRedisPrefix(prefix);
    });

    test('should restore the session', async () => {
      const { done, guard, promise } = scenario();
      const socket = ioc(`http://127.0.0.1:${ports[0]}`, { reconnectionDelay: 20 });
      let initialId: string | undefined;
      socket.once(
        'connect',
        guard(() => {
          expect(socket.recovered).toEqual(false);
          initialId = socket.id;
          servers[0]!.emit('init');
        }),
      );
      socket.on('init', () => {
        // under the hood, the client saves the offset of this packet, so now we force the reconnection
        socket.io.engine.close();
        socket.on(
          'connect',
          guard(() => {
            expect(socket.recovered).toEqual(true);
            expect(socket.id).toEqual(initialId);
            done();
          }),
        );
      });
      try {
        await promise;
      } finally {
        socket.disconnect();
      }
    });

    test('should restore any missed packets', async () => {
      const { done, guard, promise } = scenario();
      const socket = ioc(`http://127.0.0.1:${ports[0]}`, { reconnectionDelay: 20 });
      const lastOffset = () => (socket as unknown as { _lastOffset: string })._lastOffset;
      servers[0]!.once('connection', (serverSocket) => {
        void serverSocket.join('room1');
        serverSocket.on('disconnect', () => {
          // let's send some packets while the client is disconnected
          serverSocket.emit('myEvent', 1);
          servers[0]!.emit('myEvent', 2);
          servers[0]!.to('room1').emit('myEvent', 3);
          // those packets should not be received by the client upon reconnection (room mismatch)
          servers[0]!.to('room2').emit('myEvent', 4);
          servers[0]!.except('room1').emit('myEvent', 5);
          servers[0]!.of('/foo').emit('myEvent', 6);
        });
      });
      socket.once('connect', () => {
        servers[1]!.emit('init');
      });
      const events: number[] = [];
      const offsets = new Set<string>();
      socket.on('init', () => {
        // under the hood, the client saves the offset of this packet, so now we force the reconnection
        socket.io.engine.close();
        socket.on(
          'connect',
          guard(() => {
            offsets.add(lastOffset());
            expect(socket.recovered).toEqual(true);
            setTimeout(
              guard(() => {
                expect(events).toEqual([1, 2, 3]);
                expect(offsets.size).toEqual(4);
                done();
              }),
              50,
            );
          }),
        );
      });
      socket.on('myEvent', (val: number) => {
        events.push(val);
        // note: the offset is updated after the callback execution
        offsets.add(lastOffset());
      });
      try {
        await promise;
      } finally {
        socket.disconnect();
      }
    });

    test('should fail to restore an unknown session (invalid session ID)', async () => {
      const { done, guard, promise } = scenario();
      const socket = ioc(`http://127.0.0.1:${ports[0]}`, { reconnectionDelay: 20 });
      socket.once('connect', () => {
        const s = socket as unknown as { _pid: string; _lastOffset: string };
        s._pid = 'abc';
        s._lastOffset = '507f191e810c19729de860ea';
        // force reconnection
        socket.io.engine.close();
        socket.on(
          'connect',
          guard(() => {
            expect(socket.recovered).toEqual(false);
            done();
          }),
        );
      });
      try {
        await promise;
      } finally {
        socket.disconnect();
      }
    });

    test('should fail to restore an unknown session (invalid offset)', async () => {
      const { done, guard, promise } = scenario();
      const socket = ioc(`http://127.0.0.1:${ports[0]}`, { reconnectionDelay: 20, upgrade: false });
      socket.once('connect', () => {
        (socket as unknown as { _lastOffset: string })._lastOffset = 'abc';
        socket.io.engine.close();
        socket.on(
          'connect',
          guard(() => {
            expect(socket.recovered).toEqual(false);
            done();
          }),
        );
      });
      try {
        await promise;
      } finally {
        socket.disconnect();
      }
    });
  });
}

const profiles: Profile[] = (process.env.CONFORMANCE_PROFILES?.split(',') as Profile[] | undefined) ?? ['ours', 'stock', 'stock-defaults'];
for (const profile of profiles) suite(profile);
