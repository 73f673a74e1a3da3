// Which cross-instance adapter Socket.IO uses: the platform's own (adapter.ts, with members.ts) or the
// stock @socket.io/redis-streams-adapter. Both exist only until issue 16 decides between them by its
// conformance suite, its partition test and `pnpm bench messages` (docs/realtime-adapter.md); the loser
// goes, and this switch with it.
import type { Redis } from 'ioredis';
import type { Adapter } from 'socket.io-adapter';
import type { Namespace } from 'socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import { streamsAdapter } from './adapter.js';

export type AdapterKind = 'ours' | 'stock';

export interface ClusterAdapterOptions {
  streamName: string;
  channelPrefix: string;
  /** Entries read per XREAD (both adapters). */
  readCount?: number;
  /** Entries kept in the stream (both adapters; tests shorten it). */
  maxLen?: number;
  /** Ours only: heartbeat interval, dead-after and never-alone window of members.ts (tests shorten them). */
  heartbeatMs?: number;
  deadAfterMs?: number;
  neverAloneMs?: number;
  /** Ours only: after the instance disconnected its sockets because it may have missed entries. */
  onResync?: (reason: 'hole' | 'away', sockets: number) => void;
}

export interface ClusterAdapter {
  /** Socket.IO's `adapter` option. */
  factory: (nsp: Namespace) => Adapter;
  /** Resolves once this instance may take sockets (ours: every live instance knows of it). */
  joined: Promise<void>;
  /** After io.close(): whatever the adapter keeps besides its namespaces' adapters. */
  close(): Promise<void>;
}

export function clusterAdapter(kind: AdapterKind, pub: Redis, opts: ClusterAdapterOptions): ClusterAdapter {
  if (kind === 'ours') return streamsAdapter(pub, opts);
  // As the platform ran it before commit 2436456: every packet of the platform is JSON, so the binary
  // checks are skipped. Its reading and subscribing connections close with the last namespace's adapter
  // (io.close() closes them).
  const factory = createAdapter(pub, {
    streamName: opts.streamName,
    channelPrefix: opts.channelPrefix,
    onlyPlaintext: true,
    // Unused by the platform (no connection state recovery), but kept under the deployment's prefix.
    sessionKeyPrefix: `${opts.streamName}:session:`,
    ...(opts.readCount ? { readCount: opts.readCount } : {}),
    ...(opts.maxLen ? { maxLen: opts.maxLen } : {}),
  });
  return { factory: factory as unknown as (nsp: Namespace) => Adapter, joined: Promise.resolve(), close: async () => {} };
}
