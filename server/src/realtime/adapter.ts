// The cross-instance adapter. Every instance appends to one Redis stream what its broadcasts must reach
// on other instances, and reads the stream to deliver what the others appended to its own sockets.
// Requests that wait for answers (fetchSockets, serverSideEmit with an ack, broadcasts with an ack) and
// their answers go through Redis pub/sub: they need no ordering with broadcasts and must not outlive the
// request. The protocol itself (message types, matching answers to requests, timeouts) is socket.io-
// adapter's ClusterAdapter; this file only carries its messages.
//
// It follows @socket.io/redis-streams-adapter, with three differences made for the message path:
//  - local sockets are written at once, in the same turn, without waiting for Redis (that adapter awaits
//    the append, whose offset only connection state recovery needs, and this server does not use it);
//  - the messages of one turn, of every namespace, make ONE stream entry: one XADD and one entry for every
//    reader, instead of one per emit (a chat message is emitted to two namespaces);
//  - an instance skips its own entries without decoding them;
//  - an instance that knows it is alone appends nothing (members.ts says when it may know that).
// Other instances see one instance's messages in the order they were emitted: entries are appended in
// order on one connection, and a turn's messages keep their order inside the entry.
// Everything is JSON: no packet of this platform carries binary data.
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Adapter, ClusterAdapter, MessageType, type BroadcastOptions, type ClusterMessage, type ClusterResponse } from 'socket.io-adapter';
import type { Namespace } from 'socket.io';
import { trackMembers } from './members.js';

export interface StreamsOptions {
  /** The stream's key. */
  streamName: string;
  /** Prefix of the pub/sub channels. */
  channelPrefix: string;
  /** Entries kept in the stream (approximately): a reader that falls this far behind misses packets. */
  maxLen?: number;
  /** Entries read per XREAD. */
  readCount?: number;
  /** How long one XREAD blocks when the stream is quiet. */
  blockMs?: number;
  /** Interval of the instances' heartbeats (members.ts). */
  heartbeatMs?: number;
  /** When an instance that stopped heartbeating counts as gone (members.ts). */
  deadAfterMs?: number;
}

type Publishable = ClusterMessage | ClusterResponse;

/** Requests and answers: sent by pub/sub, never stored in the stream. */
function isEphemeral(m: ClusterMessage): boolean {
  return (
    (m.type === MessageType.BROADCAST && m.data.requestId !== undefined) ||
    m.type === MessageType.SERVER_SIDE_EMIT ||
    m.type === MessageType.FETCH_SOCKETS
  );
}

export interface StreamsAdapter {
  /** Socket.IO's `adapter` option. */
  factory: (nsp: Namespace) => Adapter;
  /** Resolves once every other live instance knows of this one: take sockets only after it. */
  joined: Promise<void>;
  /** Leaves, stops reading and closes the reading and subscribing connections (the publishing one is the caller's). */
  close(): Promise<void>;
}

/** `pub` publishes (it should pipeline automatically); two more connections are made from it. */
export function streamsAdapter(pub: Redis, opts: StreamsOptions): StreamsAdapter {
  const maxLen = opts.maxLen ?? 10_000;
  const readCount = opts.readCount ?? 100;
  const blockMs = opts.blockMs ?? 5_000;
  const instanceId = randomBytes(8).toString('hex');
  const instanceIdBuf = Buffer.from(instanceId);
  const byNsp = new Map<string, NodeAdapter>();
  const byChannel = new Map<string, NodeAdapter>();
  const reader = pub.duplicate({ enableAutoPipelining: false, connectionName: 'socketio-adapter-reader' });
  const sub = pub.duplicate({ enableAutoPipelining: false, connectionName: 'socketio-adapter-sub' });
  for (const c of [reader, sub]) c.on('error', () => {});
  let closed = false;
  const members = trackMembers(pub, { key: `${opts.streamName}:instances`, instanceId, heartbeatMs: opts.heartbeatMs, deadAfterMs: opts.deadAfterMs });

  // ---- appending: one entry per turn, numbered per instance
  let pending: { message: ClusterMessage; done(offset: string): void; fail(e: unknown): void }[] = [];
  let entries = 0;
  function appendPending(): void {
    const batch = pending;
    pending = [];
    pub
      .xadd(opts.streamName, 'MAXLEN', '~', maxLen, '*', 'u', instanceId, 'n', String(++entries), 'b', JSON.stringify(batch.map((p) => p.message)))
      .then(
        (id) => batch.forEach((p) => p.done(id ?? '')),
        (err: unknown) => batch.forEach((p) => p.fail(err)),
      );
  }
  function append(message: ClusterMessage): Promise<string> {
    return new Promise((done, fail) => {
      if (!pending.length) process.nextTick(appendPending);
      pending.push({ message, done, fail });
    });
  }

  // ---- reading: every instance reads every entry, skips its own
  async function poll(): Promise<void> {
    let offset = '$';
    while (!closed) {
      try {
        const res = await reader.xreadBuffer('COUNT', readCount, 'BLOCK', blockMs, 'STREAMS', opts.streamName, offset);
        for (const [, entries] of res ?? []) {
          for (const [id, fields] of entries) {
            offset = id.toString();
            const fromMe = fields[0]?.toString() === 'u' && fields[1]?.equals(instanceIdBuf);
            if (fromMe) continue;
            deliver(fields, offset);
          }
        }
      } catch {
        // Redis away or the connection closed: ioredis reconnects; try again shortly.
        if (!closed) await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  /**
   * The last entry number read from each other instance. An append whose answer was lost with its
   * connection is sent again by ioredis once it reconnects, and Redis may have run the first one: the
   * second copy must not reach the sockets again (seen after a partition of one instance).
   */
  const lastFrom = new Map<string, number>();
  function deliver(fields: Buffer[], offset: string): void {
    let messages: ClusterMessage[];
    try {
      const field = (name: string) => fields[fields.findIndex((f, k) => k % 2 === 0 && f.toString() === name) + 1]?.toString();
      const from = field('u');
      const n = Number(field('n'));
      if (from !== undefined && n > 0) {
        if (n <= (lastFrom.get(from) ?? 0)) return;
        // Instances come and go (each start is a new id): forget the oldest beyond a few hundred.
        if (!lastFrom.has(from) && lastFrom.size >= 500) lastFrom.delete(lastFrom.keys().next().value!);
        lastFrom.set(from, n);
      }
      messages = JSON.parse(field('b')!) as ClusterMessage[];
    } catch {
      return; // not an entry of this adapter
    }
    for (const m of messages) byNsp.get(m.nsp)?.receive(m, offset);
  }

  // ---- requests and answers
  sub.on('message', (channel: string, payload: string) => {
    const adapter = byChannel.get(channel);
    if (!adapter) return;
    let m: Publishable;
    try {
      m = JSON.parse(payload) as Publishable;
    } catch {
      return;
    }
    adapter.receive(m);
  });
  const publicChannel = (nsp: string) => `${opts.channelPrefix}#${nsp}#`;
  const privateChannel = (nsp: string, uid: string) => `${opts.channelPrefix}#${nsp}#${uid}#`;

  class NodeAdapter extends ClusterAdapter {
    private readonly channels: string[];
    constructor(nsp: Namespace) {
      super(nsp);
      this.channels = [publicChannel(nsp.name), privateChannel(nsp.name, this.uid)];
      for (const c of this.channels) byChannel.set(c, this);
      void sub.subscribe(...this.channels).catch(() => {});
    }

    receive(m: Publishable, offset?: string): void {
      this.onMessage(m as ClusterMessage, offset);
    }

    override doPublish(message: ClusterMessage): Promise<string> {
      if (isEphemeral(message)) return pub.publish(publicChannel(this.nsp.name), JSON.stringify(message)).then(() => '');
      return append(message);
    }

    override doPublishResponse(requesterUid: string, response: ClusterResponse): Promise<void> {
      return pub.publish(privateChannel(this.nsp.name, requesterUid), JSON.stringify(response)).then(() => {});
    }

    /** Instances with this namespace: the subscribers of its public channel. */
    override async serverCount(): Promise<number> {
      const res = (await pub.pubsub('NUMSUB', publicChannel(this.nsp.name))) as [string, number];
      return Number(res[1] ?? 0);
    }

    /** This instance's sockets first, then (in the same turn) the entry for the other instances. */
    override broadcast(packet: unknown, options: BroadcastOptions): Promise<void> {
      if (!options.flags?.local && !members.alone()) {
        // A failed append (Redis down) loses the packet for other instances' sockets only, as with the
        // stock adapter, which also still delivers locally.
        this.doPublish({
          uid: this.uid,
          nsp: this.nsp.name,
          type: MessageType.BROADCAST,
          data: { packet, opts: { rooms: [...options.rooms], except: [...(options.except ?? [])], flags: options.flags ?? {} } },
        }).catch(() => {});
      }
      Adapter.prototype.broadcast.call(this, packet, options);
      return Promise.resolve();
    }

    override close(): void {
      for (const c of this.channels) byChannel.delete(c);
      void sub.unsubscribe(...this.channels).catch(() => {});
      byNsp.delete(this.nsp.name);
      if (!byNsp.size) stop();
    }
  }

  function stop(): void {
    if (closed) return;
    closed = true;
    reader.disconnect();
    sub.disconnect();
  }

  void poll();
  return {
    factory: function adapter(nsp: Namespace): Adapter {
      const a = new NodeAdapter(nsp);
      byNsp.set(nsp.name, a);
      return a;
    },
    joined: members.joined,
    close: async () => {
      await members.leave();
      stop();
    },
  };
}
