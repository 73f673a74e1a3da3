// Socket.IO on the Fastify HTTP server, fanned out between instances through Redis streams.
import type { Server as HttpServer } from 'node:http';
import { Server, type Namespace, type Socket } from 'socket.io';
import { NAMESPACES } from '@helpline/shared';
import type {
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  StaffProfile,
  WidgetClientToServerEvents,
  WidgetServerToClientEvents,
} from '@helpline/shared';
import type { RedisFactory } from '../infra/redis.js';
import type { Redis } from 'ioredis';
import { clusterAdapter } from './cluster.js';
import { coalesceWrites } from './coalesce.js';

export interface WidgetSocketData {
  visitorId: string | null;
  hostOrigin: string;
  /** Rate-limit key of the client's IP. */
  ip: string;
}
export interface AgentSocketData {
  staff: StaffProfile;
  sessionHash: string;
  /** Epoch ms: the socket is ended then (auth/socket-sessions.ts). */
  sessionExpiresAt: number;
}

export type WidgetNamespace = Namespace<WidgetClientToServerEvents, WidgetServerToClientEvents, Record<string, never>, WidgetSocketData>;
export type AgentNamespace = Namespace<AgentClientToServerEvents, AgentServerToClientEvents, Record<string, never>, AgentSocketData>;
export type WidgetSocket = Socket<WidgetClientToServerEvents, WidgetServerToClientEvents, Record<string, never>, WidgetSocketData>;
export type AgentSocket = Socket<AgentClientToServerEvents, AgentServerToClientEvents, Record<string, never>, AgentSocketData>;

/** Room names, in one place. */
export const rooms = {
  visitor: (visitorId: string) => `visitor:${visitorId}`,
  staff: (staffId: string) => `staff:${staffId}`,
  supervisors: 'supervisors',
  /** Counsellors and supervisors: those who answer left messages. */
  offlineInbox: 'offline-inbox',
  /** Supervisors watching one conversation read-only. */
  watch: (conversationId: string) => `watch:${conversationId}`,
} as const;

export interface Realtime {
  io: Server;
  widget: WidgetNamespace;
  agent: AgentNamespace;
  /**
   * Set when this instance starts closing its sockets on shutdown: their disconnections are the
   * instance's, not the people's, and must not start a grace period (the surviving instances' sweep
   * marks whoever does not come back elsewhere).
   */
  leaving: boolean;
  close(): Promise<void>;
}

export const MAX_SOCKET_PAYLOAD_BYTES = 64 * 1024;

export function createRealtime(httpServer: HttpServer, redis: RedisFactory): Realtime {
  const pub: Redis = redis.create({ blocking: true, name: 'socketio-adapter', autoPipeline: true, readyCheck: false });
  const adapter = clusterAdapter(pub, { streamName: `${redis.prefix}:socket.io`, channelPrefix: `${redis.prefix}:socket.io` });
  const io = new Server(httpServer, {
    path: '/socket.io',
    // Messages are small; a larger frame is hostile. Socket.IO closes the connection past this.
    maxHttpBufferSize: MAX_SOCKET_PAYLOAD_BYTES,
    serveClient: false,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    adapter: adapter.factory,
    cors: { origin: false },
  });
  coalesceWrites(io);
  const widget = io.of(NAMESPACES.widget) as unknown as WidgetNamespace;
  const agent = io.of(NAMESPACES.agent) as unknown as AgentNamespace;
  return {
    io,
    widget,
    agent,
    leaving: false,
    close: async () => {
      await new Promise<void>((resolve) => io.close(() => resolve()));
      await adapter.close();
      pub.disconnect();
    },
  };
}
