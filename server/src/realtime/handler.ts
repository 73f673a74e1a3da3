// The one shape of every socket event: validate, authorise (role, then relation), act, acknowledge.
// The event name comes from the namespace's shared event map, so the payload the schema must accept,
// the data the acknowledgement carries and the roles that may send it are all checked by the compiler
// against `shared/`. Errors become typed acks; nothing thrown reaches the socket or kills the process.
// See docs/architecture.md ("One handler shape").
import type { z } from 'zod';
import type { Ack, AckDataOf, AgentClientToServerEvents, PayloadOf, StaffRole, WidgetClientToServerEvents } from '@helpline/shared';
import type { FastifyBaseLogger } from 'fastify';
import { AppError, loggableError, toApiError } from '../http/errors.js';
import { parse } from '../http/validate.js';
import type { AgentSocket, WidgetSocket } from './server.js';

/** True when A and B are the same type (each assignable to the other). */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/**
 * A schema whose input type is not exactly the shared payload type gets this brand added, so the call
 * does not compile and the message names both types: the schema and `shared/` cannot drift apart.
 */
export type MatchesPayload<S extends z.ZodType, P> =
  Same<z.input<S>, P> extends true ? unknown : { readonly 'schema input differs from the shared payload': { schema: z.input<S>; shared: P } };

/** The relation check of an event that acts only on the caller's own state. */
export const none = async (): Promise<undefined> => undefined;

/** Anyone who may send the event, signed in or not (the widget before its first start, say). */
export const ANYONE = 'anyone';

export interface EventSpec<M, E extends keyof M, S extends z.ZodType, Role extends string, R> {
  schema: S & MatchesPayload<S, PayloadOf<M, E>>;
  /** Who may send it: checked before the relation and before anything is done. */
  roles: readonly Role[] | typeof ANYONE;
  /**
   * The relation check (a counsellor acts only on a conversation assigned to her, a visitor only on
   * her own): throws `forbidden`/`unauthorized`, or returns what it loaded for `run`. Stated for
   * every event; `none` for those that act only on the caller's own state.
   */
  relation: (payload: z.output<S>) => Promise<R>;
  run: (payload: z.output<S>, related: R) => Promise<AckDataOf<M, E>>;
}

/** What of a socket the helper needs: registering a listener (every typed Socket.IO socket is one). */
interface Listenable {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
}

export type EventRegistrar<M, Role extends string> = <E extends keyof M & string, S extends z.ZodType, R>(
  event: E,
  spec: EventSpec<M, E, S, Role, R>,
) => void;

/**
 * The registrar of one socket's events. `authorise` throws the namespace's own refusal when the
 * socket's caller has none of the roles.
 */
export function socketEvents<M, Role extends string>(
  socket: Listenable,
  log: FastifyBaseLogger,
  authorise: (roles: readonly Role[]) => void,
): EventRegistrar<M, Role> {
  return (event, spec) => {
    socket.on(event, (...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (r: Ack<unknown>) => void) : undefined;
      const payload = args.length > (ack ? 1 : 0) ? args[0] : undefined;
      void (async () => {
        try {
          const p = parse(spec.schema, payload ?? {});
          if (spec.roles !== ANYONE) authorise(spec.roles);
          const data = await spec.run(p, await spec.relation(p));
          ack?.({ ok: true, data: data === undefined ? null : data });
        } catch (err) {
          const error = toApiError(err);
          if (error.code === 'internal' || error.code === 'unavailable') log.error({ event, err: loggableError(err) }, 'socket handler failed');
          ack?.({ ok: false, error });
        }
      })();
    });
  };
}

// ---------- the two namespaces ----------

/** Staff roles that take chats (offers, status, transfers). */
export const CHAT_ROLES: readonly StaffRole[] = ['counsellor', 'supervisor'];
export const SUPERVISOR_ROLES: readonly StaffRole[] = ['supervisor'];
export const BOARD_ROLES: readonly StaffRole[] = ['supervisor', 'admin'];
export const ALL_STAFF: readonly StaffRole[] = ['counsellor', 'supervisor', 'analyst', 'admin'];

/** /agent: the role is the session's, read at connection (a role change revokes sessions, admin/staff.ts). */
export function agentEvents(socket: AgentSocket, log: FastifyBaseLogger): EventRegistrar<AgentClientToServerEvents, StaffRole> {
  return socketEvents<AgentClientToServerEvents, StaffRole>(socket, log, (roles) => {
    if (!roles.includes(socket.data.staff.role)) throw new AppError('forbidden', 'Your role may not do this');
  });
}

/** /widget: the one role is `visitor`, a socket that started (or resumed) a conversation. */
export type WidgetRole = 'visitor';
export function widgetEvents(socket: WidgetSocket, log: FastifyBaseLogger): EventRegistrar<WidgetClientToServerEvents, WidgetRole> {
  return socketEvents<WidgetClientToServerEvents, WidgetRole>(socket, log, () => {
    if (!socket.data.visitorId) throw new AppError('unauthorized', 'Start a conversation first');
  });
}
