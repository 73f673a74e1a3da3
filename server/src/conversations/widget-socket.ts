// The /widget namespace: anonymous visitors. Handshake checks the origin; the token (after the first
// start) identifies the visitor. Every handler: validate, authorise, act, acknowledge.
import type { FastifyInstance } from 'fastify';
import type { ServiceStatus, WidgetHandshakeAuth } from '@helpline/shared';
import { AppError, loggableError } from '../http/errors.js';
import { ANYONE, none, widgetEvents } from '../realtime/handler.js';
import { rooms, type WidgetSocket } from '../realtime/server.js';
import { conversationRefSchema, emptySchema, readSchema, resumeSchema, sendSchema, startSchema, typingSchema } from './schemas.js';
import { isAllowedOrigin, warnRefusedOrigin } from '../settings/origins.js';

export function registerWidgetSocket(app: FastifyInstance): void {
  const nsp = app.realtime.widget;

  nsp.use((socket, next) => {
    void (async () => {
      try {
        // Shaped as WidgetHandshakeAuth by the widget, but checked here like any client input.
        const auth: Partial<Record<keyof WidgetHandshakeAuth, unknown>> = socket.handshake.auth ?? {};
        const origin = socket.handshake.headers.origin;
        const hostOrigin = typeof auth.hostOrigin === 'string' ? auth.hostOrigin : origin;
        const ip = clientIp(socket.handshake.headers['x-forwarded-for'], socket.handshake.address, app.config.TRUST_PROXY);
        await app.rateLimits.widgetConnection(ip);
        // The widget runs in an iframe of the platform, so the socket's Origin is the platform's own;
        // the page embedding it must be one of the centre's sites. Both are judged against this
        // handshake's own Host too (the platform's /demo at whatever address, when PUBLIC_URL is unset).
        const headers = socket.handshake.headers;
        const frameAllowed = await isAllowedOrigin(app, origin, headers);
        if (!hostOrigin || !frameAllowed || !(await isAllowedOrigin(app, hostOrigin, headers))) {
          const refused = frameAllowed ? hostOrigin : origin;
          if (refused) warnRefusedOrigin(app, refused);
          return next(Object.assign(new Error('origin_not_allowed'), { data: { code: 'origin_not_allowed' } }));
        }
        const token = typeof auth.token === 'string' ? auth.token : undefined;
        const visitorId = token ? await app.conversations.visitorByToken(token) : null;
        socket.data = { visitorId, hostOrigin, ip };
        next();
      } catch (err) {
        if (err instanceof AppError) return next(Object.assign(new Error(err.code), { data: err.toJSON() }));
        // Name and code only: a message (of Redis, say, about the per-IP counter) could carry the address.
        const { name, code } = loggableError(err);
        app.log.warn({ err: { name, ...(code ? { code } : {}) } }, 'widget handshake failed');
        next(Object.assign(new Error('unavailable'), { data: { code: 'unavailable' } }));
      }
    })();
  });

  nsp.on('connection', (socket: WidgetSocket) => {
    const log = app.log.child({ nsp: 'widget' });
    if (socket.data.visitorId) {
      void socket.join(rooms.visitor(socket.data.visitorId));
      void app.router.visitorConnected(socket.data.visitorId).catch(() => {});
    }
    const on = widgetEvents(socket, log);
    /** The visitor of this socket (the `visitor` role was checked before). */
    const visitor = () => {
      if (!socket.data.visitorId) throw new AppError('unauthorized', 'Start a conversation first');
      return { type: 'visitor' as const, visitorId: socket.data.visitorId };
    };
    /**
     * Relation: the visitor, checked against Postgres, for what opens the transcript or a conversation:
     * a quick exit on another socket disconnects this one, but a socket whose handshake was under way
     * then, or an instance the broadcast did not reach, still holds the visitor in memory. Such a socket
     * turns anonymous. (Sending needs no check: the exit ended the conversation, and the writer checks that.)
     */
    const liveVisitor = async () => {
      const v = visitor();
      if (await app.conversations.visitorIsLive(v.visitorId)) return v;
      socket.data.visitorId = null;
      await socket.leave(rooms.visitor(v.visitorId));
      throw new AppError('unauthorized', 'This session has ended');
    };
    /** Relation: the conversation is this visitor's own. */
    const ownConversation = async (p: { conversationId: string }) => {
      const c = await app.conversations.get(p.conversationId);
      if (c.visitorId !== visitor().visitorId) throw new AppError('forbidden', 'Not your conversation');
      return c;
    };

    // One start at a time per socket: starts racing each other would each find no visitor yet and each
    // create one, leaving waiting conversations that no socket owns (and a way round the connection limit).
    let starting: Promise<unknown> = Promise.resolve();
    on('conversation:start', {
      schema: startSchema,
      roles: ANYONE,
      relation: none,
      run: async (p) => {
        const begun = starting.then(async () => {
          // An ended visitor's socket starts afresh, as a new visitor.
          if (socket.data.visitorId) await liveVisitor().catch(() => null);
          const res = await app.conversations.start(socket.data.visitorId, p);
          if (!socket.data.visitorId) {
            socket.data.visitorId = res.visitorId;
            await socket.join(rooms.visitor(res.visitorId));
          }
          return res;
        });
        starting = begun.catch(() => {});
        const res = await begun;
        const status = await serviceStatus(app);
        return {
          // A resumed session keeps its token; only a new visitor gets one.
          token: res.token ?? handshakeToken(socket) ?? '',
          conversation: await app.conversations.visitorView(res.conversation),
          serviceOpen: status.open,
        };
      },
    });
    on('conversation:resume', {
      schema: resumeSchema,
      roles: ['visitor'],
      relation: liveVisitor,
      run: async (p, v) => {
        const c = await app.conversations.latestForVisitor(v.visitorId);
        if (!c) return { conversation: null, messages: [] };
        return { conversation: await app.conversations.visitorView(c), messages: await app.conversations.history(c.id, p.afterSeq) };
      },
    });
    // Sending, typing and reading check the conversation is the visitor's in the conversation service
    // (the writer re-checks under its row lock).
    on('message:send', {
      schema: sendSchema,
      roles: ['visitor'],
      relation: none,
      run: async (p) => {
        await app.rateLimits.visitorMessage(socket.data.visitorId ?? socket.id, socket.data.ip);
        return app.conversations.send(visitor(), p, { socketId: socket.id });
      },
    });
    on('typing', { schema: typingSchema, roles: ['visitor'], relation: none, run: (p) => app.conversations.typing(visitor(), p.conversationId, p.typing) });
    on('message:read', {
      schema: readSchema,
      roles: ['visitor'],
      relation: none,
      run: async (p) => {
        await app.conversations.markRead(visitor(), p.conversationId, p.seq);
        return null;
      },
    });
    on('conversation:end', {
      schema: conversationRefSchema,
      roles: ['visitor'],
      relation: ownConversation,
      run: async (_p, c) => app.conversations.visitorView(await app.router.endConversation(c.id, 'visitor')),
    });
    // Anyone: a quick exit of a socket that never started (or already ended) is a harmless no-op.
    on('session:exit', {
      schema: emptySchema,
      roles: ANYONE,
      relation: none,
      run: async () => {
        const visitorId = socket.data.visitorId;
        if (!visitorId) return null;
        const c = await app.conversations.currentForVisitor(visitorId);
        if (c) await app.router.endConversation(c.id, 'visitor');
        await app.conversations.endVisitor(visitorId);
        await app.audit.record({ actorType: 'visitor', actorId: visitorId, action: 'visitor.quick_exit', targetType: 'visitor', targetId: visitorId });
        nsp.to(rooms.visitor(visitorId)).emit('session:ended', { reason: 'exit' });
        socket.data.visitorId = null;
        await socket.leave(rooms.visitor(visitorId));
        // Every other socket of this visitor (other tabs, other instances through the adapter) is
        // closed after the notice: what it holds in memory would otherwise still authorise it.
        nsp.in(rooms.visitor(visitorId)).disconnectSockets(true);
        return null;
      },
    });
    on('service:status', { schema: emptySchema, roles: ANYONE, relation: none, run: () => serviceStatus(app) });

    socket.on('disconnect', () => {
      if (socket.data.visitorId && !app.realtime.leaving) void app.router.visitorDisconnected(socket.data.visitorId).catch(() => {});
    });
  });
}

/** The token the widget's handshake carried (a resumed session's). */
function handshakeToken(socket: WidgetSocket): string | undefined {
  const auth: Partial<Record<keyof WidgetHandshakeAuth, unknown>> = socket.handshake.auth;
  return typeof auth.token === 'string' ? auth.token : undefined;
}

export async function serviceStatus(app: FastifyInstance): Promise<ServiceStatus> {
  if (!(await app.settings.isWithinHours())) return { open: false, reason: 'out_of_hours' };
  if ((await app.settings.get('surge')).leaveMessageOnly) return { open: false, reason: 'busy_leave_message' };
  const online = await app.router.onlineCounsellors();
  return online > 0 ? { open: true, reason: 'open' } : { open: false, reason: 'no_counsellor_online' };
}

/** The client's address: the first X-Forwarded-For entry only when the platform sits behind its own proxy. */
export function clientIp(forwarded: string | string[] | undefined, direct: string, trustProxy: boolean): string {
  if (!trustProxy || !forwarded) return direct;
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
  return first || direct;
}
