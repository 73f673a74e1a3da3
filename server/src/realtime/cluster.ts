// The cross-instance adapter: the stock @socket.io/redis-streams-adapter. Issue 16 weighed it against
// an adapter of the platform's own by the stock adapter's test suite, a partition test and
// `pnpm bench messages`; ours was not 15 % faster, so the stock one stays (docs/realtime-adapter.md,
// with the figures and what the stock adapter does not do: the clients make up for it by seq).
//
// One change of order, kept to the adapter's public behaviour: a broadcast is written to this
// instance's own sockets at once, and then appended to the stream for the others, where the stock
// adapter writes its own sockets only once Redis has answered the append. Without it, while an
// instance cannot reach Redis, a child and a counsellor connected to it hear nothing from each other
// (their messages are stored and acknowledged, and arrive all at once when Redis is back: 10 s late in
// the partition test). The appends keep their order (one connection, pipelined). With connection state
// recovery on (not the platform's), the stock order stays: a packet then carries its stream offset.
import type { Redis } from 'ioredis';
import { Adapter, MessageType, type BroadcastOptions } from 'socket.io-adapter';
import type { Namespace } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';

/** The part of socket.io-adapter's ClusterAdapter the local-first broadcast uses (protected there). */
interface ClusterInternals {
  publish(message: { type: MessageType; data: unknown }): void;
}

function localFirst(adapter: Adapter): Adapter {
  if (adapter.nsp.server.opts.connectionStateRecovery) return adapter;
  const cluster = adapter as Adapter & ClusterInternals;
  const stockBroadcast = adapter.broadcast.bind(adapter);
  adapter.broadcast = (packet: unknown, opts: BroadcastOptions) => {
    if (opts.flags?.local) return stockBroadcast(packet, opts);
    Adapter.prototype.broadcast.call(adapter, packet, opts);
    // As the stock adapter encodes them (socket.io-adapter's encodeOptions).
    cluster.publish({ type: MessageType.BROADCAST, data: { packet, opts: { rooms: [...opts.rooms], except: [...(opts.except ?? [])], flags: opts.flags } } });
  };
  return adapter;
}

export interface ClusterAdapterOptions {
  streamName: string;
  channelPrefix: string;
  /** Entries read per XREAD. */
  readCount?: number;
  /** Entries kept in the stream (tests shorten it). */
  maxLen?: number;
}

export interface ClusterAdapter {
  /** Socket.IO's `adapter` option. */
  factory: (nsp: Namespace) => Adapter;
  /** After io.close(): its reading and subscribing connections close with the last namespace's adapter. */
  close(): Promise<void>;
}

/**
 * The stock adapter sends the requests that wait for answers (fetchSockets, serverSideEmit, broadcasts
 * with acks) with a PUBLISH whose promise it drops: on a closed connection (an instance shutting down
 * while its sockets' disconnect handlers still ask who is online) the rejection was unhandled, and Node
 * ended the process with code 1 (seen in the rolling-restart test). Each PUBLISH's promise gets a
 * handler; callers that await it still see the error.
 */
function handledPublish(pub: Redis): void {
  const publish = pub.publish.bind(pub) as (...args: unknown[]) => Promise<number>;
  (pub as unknown as { publish: (...args: unknown[]) => Promise<number> }).publish = (...args) => {
    const p = publish(...args);
    p.catch(() => {});
    return p;
  };
}

export function clusterAdapter(pub: Redis, opts: ClusterAdapterOptions): ClusterAdapter {
  handledPublish(pub);
  // Every packet of the platform is JSON, so the binary checks are skipped.
  const factory = createAdapter(pub, {
    streamName: opts.streamName,
    channelPrefix: opts.channelPrefix,
    onlyPlaintext: true,
    // Unused by the platform (no connection state recovery), but kept under the deployment's prefix.
    sessionKeyPrefix: `${opts.streamName}:session:`,
    ...(opts.readCount ? { readCount: opts.readCount } : {}),
    ...(opts.maxLen ? { maxLen: opts.maxLen } : {}),
  });
  const stock = factory as unknown as (nsp: Namespace) => Adapter;
  // Socket.IO calls it with `new`: a function, not an arrow (it returns the adapter it made).
  return {
    factory: function adapterFor(nsp: Namespace) {
      return localFirst(stock(nsp));
    },
    close: async () => {},
  };
}
