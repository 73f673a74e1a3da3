// The cross-instance adapter. Every instance appends to one Redis stream what its broadcasts must reach
// on other instances, and reads the stream to deliver what the others appended to its own sockets.
// Requests that wait for answers (fetchSockets, serverSideEmit with an ack, broadcasts with an ack) and
// their answers go through Redis pub/sub: they need no ordering with broadcasts and must not outlive the
// request. The protocol itself (message types, matching answers to requests, timeouts) is socket.io-
// adapter's ClusterAdapter; this file only carries its messages.
//
// It follows @socket.io/redis-streams-adapter, with these differences made for the message path:
//  - local sockets are written at once, in the same turn, without waiting for Redis (that adapter awaits
//    the append, whose offset only connection state recovery needs, and this server does not use it;
//    with recovery on, ours delivers its own broadcasts from the stream instead: csr.ts);
//  - the messages of one turn, of every namespace, make ONE stream entry: one XADD and one entry for every
//    reader, instead of one per emit (a chat message is emitted to two namespaces);
//  - an instance skips its own entries without decoding them;
//  - an instance that knows it is alone appends nothing (members.ts says when it may know that).
// Other instances see one instance's messages in the order they were emitted: entries are appended in
// order on one connection, and a turn's messages keep their order inside the entry.
// Messages are JSON, or msgpack when they carry binary data (encoding.ts).
// An instance whose view of the stream may have a hole (it was cut off for longer than the stream or the
// others' never-alone window covers: stream-reader.ts, members.ts) disconnects its sockets, so that their
// clients reconnect and resync (the widget and console resume by message seq from Postgres).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Adapter, ClusterAdapter, MessageType, type BroadcastOptions, type ClusterMessage, type ClusterResponse, type Session } from 'socket.io-adapter';
import type { Namespace } from 'socket.io';
import { trackMembers } from './members.js';
import { decodeEntry, decodePublished, encodeEntry, encodePublished } from './encoding.js';
import { packetOffset, persistSession, recordable, restoreSession, type RecoveryContext } from './csr.js';
import { lastId, readStream } from './stream-reader.js';

export interface StreamsOptions {
  /** The stream's key. */
  streamName: string;
  /** Prefix of the pub/sub channels. */
  channelPrefix: string;
  /** Entries kept in the stream (approximately): a reader that falls this far behind resyncs its sockets. */
  maxLen?: number;
  /** Entries read per XREAD. */
  readCount?: number;
  /** How long one XREAD blocks when the stream is quiet. */
  blockMs?: number;
  /** Interval of the instances' heartbeats (members.ts). */
  heartbeatMs?: number;
  /** When an instance that stopped heartbeating counts as gone (members.ts). */
  deadAfterMs?: number;
  /** How long after another instance was last seen this one is not alone (members.ts). */
  neverAloneMs?: number;
  /** Key prefix of the sessions of connection state recovery (default `<streamName>:session:`). */
  sessionKeyPrefix?: string;
  /** After this instance disconnected its sockets because it may have missed entries. */
  onResync?: (reason: 'hole' | 'away', sockets: number) => void;
}

type Publishable = ClusterMessage | ClusterResponse;
type SessionToPersist = Parameters<Adapter['persistSession']>[0];

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
  const heartbeatMs = opts.heartbeatMs ?? 1000;
  const instanceId = randomBytes(8).toString('hex');
  const instanceIdBuf = Buffer.from(instanceId);
  const byNsp = new Map<string, NodeAdapter>();
  const byChannel = new Map<string, NodeAdapter>();
  const reader = pub.duplicate({ enableAutoPipelining: false, connectionName: 'socketio-adapter-reader' });
  const sub = pub.duplicate({ enableAutoPipelining: false, connectionName: 'socketio-adapter-sub' });
  for (const c of [reader, sub]) c.on('error', () => {});
  let closed = false;
  const members = trackMembers(pub, {
    key: `${opts.streamName}:instances`,
    instanceId,
    heartbeatMs,
    deadAfterMs: opts.deadAfterMs,
    neverAloneMs: opts.neverAloneMs,
    // Another instance may still be alone for up to a heartbeat after this one is back in the set.
    onAway: () => resyncAfter('away', 2 * heartbeatMs),
  });

  // ---- appending: one entry per turn, numbered per instance
  interface Pending {
    message: ClusterMessage;
    done(offset: string): void;
    fail(e: unknown): void;
    /** With connection state recovery: writes the broadcast to this instance's sockets, with its offset. */
    own?: (offset: string | undefined) => void;
  }
  let pending: Pending[] = [];
  let pendingOwn = false;
  let entries = 0;
  /** Entries (by number) with broadcasts of this instance that its reader has yet to deliver. */
  const own = new Map<number, Pending[]>();
  function appendPending(): void {
    const batch = pending;
    pending = [];
    const n = ++entries;
    if (pendingOwn) own.set(n, batch);
    pendingOwn = false;
    const [field, body] = encodeEntry(batch.map((p) => p.message));
    pub.xadd(opts.streamName, 'MAXLEN', '~', maxLen, '*', 'u', instanceId, 'n', String(n), field, body).then(
      (id) => batch.forEach((p) => p.done(id ?? '')),
      (err: unknown) => {
        // Not in the stream: this instance's sockets still get the broadcasts, without an offset.
        const mine = own.get(n);
        own.delete(n);
        mine?.forEach((p) => p.own?.(undefined));
        batch.forEach((p) => p.fail(err));
      },
    );
  }
  function append(message: ClusterMessage, ownDelivery?: Pending['own']): Promise<string> {
    return new Promise((done, fail) => {
      if (!pending.length) process.nextTick(appendPending);
      pending.push({ message, done, fail, own: ownDelivery });
      if (ownDelivery) pendingOwn = true;
    });
  }

  // ---- reading: every instance reads every entry, skips its own (or delivers them, with recovery on)
  const fieldOf = (fields: Buffer[], name: string) => fields[fields.findIndex((f, k) => k % 2 === 0 && f.toString() === name) + 1]?.toString();
  const stream = readStream(reader, {
    stream: opts.streamName,
    readCount: opts.readCount ?? 100,
    blockMs: opts.blockMs ?? 5_000,
    // Asked on `pub` before any append, so that the reader sees every entry of this instance.
    start: lastId(pub, opts.streamName),
    onEntry(id, fields) {
      const fromMe = fields[0]?.toString() === 'u' && fields[1]?.equals(instanceIdBuf);
      if (!fromMe) deliver(fields, id);
      else if (own.size) deliverOwn(fields, id);
    },
    // This instance's own broadcasts in entries a resync skipped: their sockets were closed.
    onSkip(_id, fields) {
      if (own.size && fields[0]?.toString() === 'u' && fields[1]?.equals(instanceIdBuf)) own.delete(Number(fieldOf(fields, 'n')));
    },
    onHole: () => resyncAfter('hole', 0),
  });
  function deliverOwn(fields: Buffer[], id: string): void {
    const n = Number(fieldOf(fields, 'n'));
    const batch = own.get(n);
    if (!batch) return;
    own.delete(n);
    batch.forEach((p, k) => p.own?.(packetOffset(id, k)));
  }
  /**
   * The last entry number read from each other instance. An append whose answer was lost with its
   * connection is sent again by ioredis once it reconnects, and Redis may have run the first one: the
   * second copy must not reach the sockets again (seen after a partition of one instance). A number
   * skipped is a hole: entries of that instance were trimmed before this one read them (or an append
   * failed), so their broadcasts did not reach this instance's sockets.
   */
  const lastFrom = new Map<string, number>();
  function deliver(fields: Buffer[], id: string): void {
    let messages: ClusterMessage[] | null;
    try {
      const from = fieldOf(fields, 'u');
      const n = Number(fieldOf(fields, 'n'));
      if (from !== undefined && n > 0) {
        const last = lastFrom.get(from);
        if (last !== undefined && n <= last) return;
        if (last !== undefined && n > last + 1) resyncAfter('hole', 0);
        // Instances come and go (each start is a new id): forget the oldest beyond a few hundred.
        if (!lastFrom.has(from) && lastFrom.size >= 500) lastFrom.delete(lastFrom.keys().next().value!);
        lastFrom.set(from, n);
      }
      messages = decodeEntry(fields);
    } catch {
      return; // not an entry of this adapter
    }
    messages?.forEach((m, k) => {
      const a = byNsp.get(m.nsp);
      a?.receive(m, a.csr ? packetOffset(id, k) : id);
    });
  }

  // ---- resync: this instance may have missed entries; its sockets' clients reconnect and catch up
  let resyncTimer: NodeJS.Timeout | null = null;
  function resyncAfter(reason: 'hole' | 'away', delayMs: number): void {
    if (closed || resyncTimer) return; // a pending resync covers this one
    resyncTimer = setTimeout(() => void resync(reason), delayMs);
  }
  async function resync(reason: 'hole' | 'away'): Promise<void> {
    // Live delivery goes on from the stream's end: what came before, the clients fetch on reconnecting.
    const last = await lastId(pub, opts.streamName).catch(() => null);
    resyncTimer = null;
    if (closed) return;
    if (last) stream.skipTo(last);
    // Numbering starts again from what comes after the skip.
    lastFrom.clear();
    const conns = new Set<{ close(): void }>();
    for (const a of byNsp.values()) for (const s of a.nsp.sockets.values()) conns.add(s.conn);
    // The transport, not the socket: a closed transport makes clients reconnect (a server-side
    // disconnect would tell them not to).
    for (const c of conns) c.close();
    opts.onResync?.(reason, conns.size);
  }

  // ---- requests and answers
  sub.on('messageBuffer', (channel: Buffer, payload: Buffer) => {
    const adapter = byChannel.get(channel.toString());
    if (!adapter) return;
    let m: Publishable;
    try {
      m = decodePublished(payload);
    } catch {
      return;
    }
    adapter.receive(m);
  });
  const publicChannel = (nsp: string) => `${opts.channelPrefix}#${nsp}#`;
  const privateChannel = (nsp: string, uid: string) => `${opts.channelPrefix}#${nsp}#${uid}#`;
  const sessionKeyPrefix = opts.sessionKeyPrefix ?? `${opts.streamName}:session:`;

  class NodeAdapter extends ClusterAdapter {
    private readonly channels: string[];
    /** Connection state recovery is on (socket.io's option, for every namespace of the server). */
    readonly csr: boolean;
    private readonly recovery: RecoveryContext;
    constructor(nsp: Namespace) {
      super(nsp);
      this.csr = !!nsp.server._opts.connectionStateRecovery;
      this.recovery = { pub, stream: opts.streamName, sessionKey: (pid) => sessionKeyPrefix + pid, nsp: nsp.name, reader: stream };
      this.channels = [publicChannel(nsp.name), privateChannel(nsp.name, this.uid)];
      for (const c of this.channels) byChannel.set(c, this);
      void sub.subscribe(...this.channels).catch(() => {});
    }

    receive(m: Publishable, offset?: string): void {
      this.onMessage(m as ClusterMessage, offset);
    }

    override doPublish(message: ClusterMessage): Promise<string> {
      if (isEphemeral(message)) return pub.publish(publicChannel(this.nsp.name), encodePublished(message)).then(() => '');
      return append(message);
    }

    override doPublishResponse(requesterUid: string, response: ClusterResponse): Promise<void> {
      return pub.publish(privateChannel(this.nsp.name, requesterUid), encodePublished(response)).then(() => {});
    }

    /** Instances with this namespace: the subscribers of its public channel. */
    override async serverCount(): Promise<number> {
      const res = (await pub.pubsub('NUMSUB', publicChannel(this.nsp.name))) as [string, number];
      return Number(res[1] ?? 0);
    }

    /** This instance's sockets first, then (in the same turn) the entry for the other instances. */
    override broadcast(packet: unknown, options: BroadcastOptions): Promise<void> {
      if (this.csr) return this.broadcastRecorded(packet, options);
      if (!options.flags?.local && !members.alone()) {
        // A failed append (Redis down) loses the packet for other instances' sockets only, as with the
        // stock adapter, which also still delivers locally.
        this.doPublish(this.broadcastMessage(packet, options)).catch(() => {});
      }
      Adapter.prototype.broadcast.call(this, packet, options);
      return Promise.resolve();
    }

    /**
     * With connection state recovery, every broadcast goes to the stream (never "alone": a session may be
     * restored from it) and reaches this instance's sockets when the reader gets to it, with its offset.
     */
    private broadcastRecorded(packet: unknown, options: BroadcastOptions): Promise<void> {
      if (options.flags?.local) {
        Adapter.prototype.broadcast.call(this, packet, options);
        return Promise.resolve();
      }
      const p = packet as { type: number; id?: number; data: unknown[] };
      append(this.broadcastMessage(packet, options), (offset) => {
        if (offset !== undefined && recordable(p, options.flags)) p.data.push(offset);
        Adapter.prototype.broadcast.call(this, packet, options);
      }).catch(() => {});
      return Promise.resolve();
    }

    private broadcastMessage(packet: unknown, options: BroadcastOptions): ClusterMessage {
      return {
        uid: this.uid,
        nsp: this.nsp.name,
        type: MessageType.BROADCAST,
        data: { packet, opts: { rooms: [...options.rooms], except: [...(options.except ?? [])], flags: options.flags ?? {} } },
      };
    }

    override persistSession(session: SessionToPersist): void {
      persistSession(this.recovery, session, this.nsp.server._opts.connectionStateRecovery.maxDisconnectionDuration);
    }

    override restoreSession(pid: string, offset: string): Promise<Session> {
      return restoreSession(this.recovery, pid, offset);
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
    if (resyncTimer) clearTimeout(resyncTimer);
    stream.stop();
    reader.disconnect();
    sub.disconnect();
  }

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
