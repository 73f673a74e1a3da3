// A staff socket lives exactly as long as its session. The session is checked at the handshake, but a
// socket stays open for hours: without this it would keep reading transcripts and sending replies after
// the session expired, after a logout elsewhere, or after an admin disabled the account.
//
// Three ways a socket learns its session is over, fastest first:
//  - expiry: a timer per socket at its session's expiresAt;
//  - revocation (logout, account disabled, new role or password, `pnpm cli user:disable` on real
//    Postgres): whoever revoked in Postgres publishes it on one Redis channel, and every instance ends
//    its own sockets of that session or staff member at once;
//  - the backstop: every SESSION_RECHECK_MS each instance asks Postgres (the record) which of its
//    sockets' sessions are still live, and ends the rest. A publication lost while Redis was away, or
//    a revocation written by a tool that could not reach Redis, is caught here.
import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Redis } from 'ioredis';
import type { Db } from '../db/client.js';
import type { RedisFactory } from '../infra/redis.js';
import { loggableError } from '../http/errors.js';
import type { AgentNamespace, AgentSocket } from '../realtime/server.js';
import { staffSessions, staffUsers } from './tables.js';
import { systemClock, type Clock } from '../infra/clock.js';

export type SessionEndReason = 'expired' | 'revoked';
/** Which sessions ended: one (logout) or all of a staff member's (disable, new role or password). */
export type RevocationTarget = { sessionHash: string } | { staffId: string };
interface Revocation {
  target: RevocationTarget;
  reason: SessionEndReason;
}

export const revocationChannel = (prefix: string) => `${prefix}:staff-sessions`;

/** Tells every instance that sessions ended (their rows are already revoked in Postgres). */
export async function publishRevocation(redis: Redis, prefix: string, target: RevocationTarget, reason: SessionEndReason = 'revoked'): Promise<void> {
  const r: Revocation = { target, reason };
  await redis.publish(revocationChannel(prefix), JSON.stringify(r));
}

/** setTimeout holds at most 2^31-1 ms (~24.8 days); longer sessions re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SessionWatch {
  /** Ends the matching sockets of this instance and tells the other instances. */
  revoked(target: RevocationTarget, reason?: SessionEndReason): Promise<void>;
  /** The backstop pass, also run every `recheckMs`. */
  recheck(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSessionWatch(deps: {
  db: Db;
  /** When a session's end has come (tests move it forward). */
  clock?: Clock;
  redis: RedisFactory;
  publisher: Redis;
  agent: AgentNamespace;
  recheckMs: number;
  log: FastifyBaseLogger;
}): SessionWatch {
  const { agent, log } = deps;
  const channel = revocationChannel(deps.redis.prefix);
  const now = () => (deps.clock ?? systemClock).now();
  const timers = new Map<string, NodeJS.Timeout>();
  let subscriber: Redis | null = null;
  let interval: NodeJS.Timeout | null = null;

  function end(socket: AgentSocket, reason: SessionEndReason): void {
    if (!socket.connected) return;
    socket.emit('session:ended', { reason });
    // Closes the transport after the frame above is written; the client does not reconnect by itself.
    socket.disconnect(true);
  }

  function endMatching(r: Revocation): void {
    for (const socket of agent.sockets.values()) {
      const d = socket.data;
      if (!d?.staff) continue;
      if ('sessionHash' in r.target ? d.sessionHash === r.target.sessionHash : d.staff.id === r.target.staffId) end(socket, r.reason);
    }
  }

  function arm(socket: AgentSocket): void {
    const left = socket.data.sessionExpiresAt - now();
    if (left <= 0) return end(socket, 'expired');
    const t = setTimeout(() => arm(socket), Math.min(left, MAX_TIMER_MS));
    t.unref();
    timers.set(socket.id, t);
  }

  agent.on('connection', (socket: AgentSocket) => {
    arm(socket);
    socket.on('disconnect', () => {
      clearTimeout(timers.get(socket.id));
      timers.delete(socket.id);
    });
  });

  async function recheck(): Promise<void> {
    const sockets = [...agent.sockets.values()].filter((s) => s.data?.sessionHash);
    if (!sockets.length) return;
    const hashes = [...new Set(sockets.map((s) => s.data.sessionHash))];
    const live = await deps.db
      .select({ tokenHash: staffSessions.tokenHash })
      .from(staffSessions)
      .innerJoin(staffUsers, eq(staffUsers.id, staffSessions.staffId))
      .where(and(inArray(staffSessions.tokenHash, hashes), isNull(staffSessions.revokedAt), gt(staffSessions.expiresAt, new Date(now())), isNull(staffUsers.disabledAt)));
    const alive = new Set(live.map((r) => r.tokenHash));
    for (const s of sockets) {
      if (!alive.has(s.data.sessionHash)) end(s, s.data.sessionExpiresAt <= now() ? 'expired' : 'revoked');
    }
  }

  return {
    async revoked(target, reason = 'revoked') {
      const r: Revocation = { target, reason };
      endMatching(r);
      // Postgres already says so; should Redis be away, the others' backstop ends their sockets.
      await publishRevocation(deps.publisher, deps.redis.prefix, target, reason).catch((err: unknown) =>
        log.warn({ err: loggableError(err) }, 'revocation not published; other instances end those sockets at their next session check'),
      );
    },
    recheck,
    async start() {
      subscriber = deps.redis.create({ blocking: true, name: 'staff-sessions' });
      subscriber.on('message', (ch: string, text: string) => {
        if (ch !== channel) return;
        try {
          const r = JSON.parse(text) as Revocation;
          if (r && typeof r === 'object' && r.target && (r.reason === 'expired' || r.reason === 'revoked')) endMatching(r);
        } catch {
          /* not ours */
        }
      });
      // ioredis subscribes again by itself after a reconnect.
      void subscriber.subscribe(channel).catch(() => {});
      interval = setInterval(() => {
        recheck().catch((err: unknown) => log.warn({ err: loggableError(err) }, 'session recheck failed'));
      }, deps.recheckMs);
      interval.unref();
    },
    async stop() {
      if (interval) clearInterval(interval);
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
      subscriber?.disconnect();
      subscriber = null;
    },
  };
}
