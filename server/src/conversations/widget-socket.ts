// The /widget namespace: anonymous visitors. Handshake checks the origin; the token (after the first
// start) identifies the visitor. Every handler: validate, authorise, act, acknowledge.
import type { FastifyInstance } from 'fastify';
import type { ServiceStatus } from '@helpline/shared';
import { AppError, loggableError } from '../http/errors.js';
import { socketHandler } from '../realtime/handler.js';
import { rooms, type WidgetSocket } from '../realtime/server.js';
import { conversationRefSchema, emptySchema, readSchema, resumeSchema, sendSchema, startSchema, typingSchema } from './schemas.js';
import { isAllowedOrigin, warnRefusedOrigin } from '../settings/origins.js';

export function registerWidgetSocket(app: FastifyInstance): void {
  const nsp = app.realtime.widget;

  nsp.use((socket, next) => {
    void (async () => {
      try {
        const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
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
    const visitor = () => {
      if (!socket.data.visitorId) throw new AppError('unauthorized', 'Start a conversation first');
      return { type: 'visitor' as const, visitorId: socket.data.visitorId };
    };
    /**
     * The visitor, checked against Postgres, for what opens the transcript or a conversation: a quick
     * exit on another socket disconnects this one, but a socket whose handshake was under way then, or
     * an instance the broadcast did not reach, still holds the visitor in memory. Such a socket turns
     * anonymous. (Sending needs no check: the exit ended the conversation, and the writer checks that.)
     */
    const liveVisitor = async () => {
      const v = visitor();
      if (await app.conversations.visitorIsLive(v.visitorId)) return v;
      socket.data.visitorId = null;
      await socket.leave(rooms.visitor(v.visitorId));
      throw new AppError('unauthorized', 'This session has ended');
    };

    // One start at a time per socket: starts racing each other would each find no visitor yet and each
    // create one, leaving waiting conversations that no socket owns (and a way round the connection limit).
    let starting: Promise<unknown> = Promise.resolve();
    socket.on(
      'conversation:start',
      socketHandler(log, 'conversation:start', startSchema, async (p) => {
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
          token: res.token ?? ((socket.handshake.auth as { token?: string }).token ?? ''),
          conversation: await app.conversations.visitorView(res.conversation),
          serviceOpen: status.open,
        };
      }) as never,
    );

    socket.on(
      'conversation:resume',
      socketHandler(log, 'conversation:resume', resumeSchema, async (p) => {
        const { visitorId } = await liveVisitor();
        const c = await app.conversations.latestForVisitor(visitorId);
        if (!c) return { conversation: null, messages: [] };
        return { conversation: await app.conversations.visitorView(c), messages: await app.conversations.history(c.id, p.afterSeq) };
      }) as never,
    );

    socket.on(
      'message:send',
      socketHandler(log, 'message:send', sendSchema, async (p) => {
        await app.rateLimits.visitorMessage(socket.data.visitorId ?? socket.id, socket.data.ip);
        return app.conversations.send(visitor(), p, { socketId: socket.id });
      }) as never,
    );

    socket.on(
      'typing',
      socketHandler(log, 'typing', typingSchema, async (p) => {
        await app.conversations.typing(visitor(), p.conversationId, p.typing);
      }) as never,
    );

    socket.on(
      'message:read',
      socketHandler(log, 'message:read', readSchema, async (p) => {
        await app.conversations.markRead(visitor(), p.conversationId, p.seq);
      }) as never,
    );

    socket.on(
      'conversation:end',
      socketHandler(log, 'conversation:end', conversationRefSchema, async (p) => {
        const v = visitor();
        const c = await app.conversations.get(p.conversationId);
        if (c.visitorId !== v.visitorId) throw new AppError('forbidden', 'Not your conversation');
        return app.conversations.visitorView(await app.router.endConversation(c.id, 'visitor'));
      }) as never,
    );

    socket.on(
      'session:exit',
      socketHandler(log, 'session:exit', emptySchema, async () => {
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
      }) as never,
    );

    socket.on(
      'service:status',
      socketHandler(log, 'service:status', emptySchema, async () => serviceStatus(app)) as never,
    );

    socket.on('disconnect', () => {
      if (socket.data.visitorId) void app.router.visitorDisconnected(socket.data.visitorId).catch(() => {});
    });
  });
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
