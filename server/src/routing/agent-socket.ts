// The /agent namespace: staff with a cookie session. The handshake must come from the platform's own
// origin (no cross-site WebSocket hijacking) and carry a live session.
import type { FastifyInstance } from 'fastify';
import { and, eq, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { LANGUAGES, LIMITS, PRIORITIES, TOPICS, type Offer } from '@helpline/shared';
import fastifyCookie from '@fastify/cookie';
import { SESSION_COOKIE } from '../auth/service.js';
import { isOwnOrigin } from '../settings/origins.js';
import { AppError, loggableError } from '../http/errors.js';
import { socketHandler } from '../realtime/handler.js';
import { rooms, type AgentSocket } from '../realtime/server.js';
import { conversations } from '../conversations/tables.js';
import { assignments } from './tables.js';
import { conversationRefSchema, emptySchema, historySchema, readSchema, sendSchema, typingSchema, uuid } from '../conversations/schemas.js';

const statusSchema = z.object({ status: z.enum(['available', 'away']) }).strict();
const transferSchema = z
  .object({
    conversationId: uuid,
    to: z.discriminatedUnion('type', [
      z.object({ type: z.literal('staff'), staffId: uuid }).strict(),
      z.object({ type: z.literal('queue'), language: z.enum(LANGUAGES).optional(), topic: z.enum(TOPICS).optional() }).strict(),
    ]),
    note: z.string().trim().max(LIMITS.noteMaxChars),
  })
  .strict();
const prioritySchema = z.object({ conversationId: uuid, priority: z.enum(PRIORITIES) }).strict();
const assignSchema = z.object({ conversationId: uuid, staffId: uuid }).strict();
const offerRefSchema = z.object({ offerId: uuid }).strict();

const STAFF_CHAT_ROLES = ['counsellor', 'supervisor'] as const;

export function registerAgentSocket(app: FastifyInstance): void {
  const nsp = app.realtime.agent;

  nsp.use((socket, next) => {
    void (async () => {
      try {
        const origin = socket.handshake.headers.origin;
        // The platform's own origin: PUBLIC_URL's, or with none set, the address this very handshake
        // was sent to (the console opened at 127.0.0.1 or a LAN address).
        if (origin && origin !== app.config.publicOrigin && !isOwnOrigin(app.config, origin, socket.handshake.headers)) {
          return next(Object.assign(new Error('origin_not_allowed'), { data: { code: 'origin_not_allowed' } }));
        }
        const cookies = fastifyCookie.parse(socket.handshake.headers.cookie ?? '');
        const session = await app.auth.sessionFor(cookies[SESSION_COOKIE]);
        if (!session) return next(Object.assign(new Error('unauthorized'), { data: { code: 'unauthorized' } }));
        socket.data = { staff: session.staff, sessionHash: session.tokenHash, sessionExpiresAt: session.expiresAt.getTime() };
        next();
      } catch {
        next(Object.assign(new Error('unavailable'), { data: { code: 'unavailable' } }));
      }
    })();
  });

  nsp.on('connection', (socket: AgentSocket) => {
    const staff = socket.data.staff;
    const log = app.log.child({ nsp: 'agent', staffId: staff.id });
    void socket.join(rooms.staff(staff.id));
    if (staff.role === 'supervisor' || staff.role === 'admin') void socket.join(rooms.supervisors);
    const chats = STAFF_CHAT_ROLES.includes(staff.role as (typeof STAFF_CHAT_ROLES)[number]);
    if (chats) void app.router.agentConnected(staff.id).catch((err: unknown) => log.warn({ err: loggableError(err) }, 'agentConnected failed'));
    const requireChatRole = () => {
      if (!chats) throw new AppError('forbidden', 'Only counsellors and supervisors take chats');
    };
    const me = { type: 'staff' as const, staffId: staff.id, name: staff.name };
    const assignedToMe = async (conversationId: string) => {
      const c = await app.conversations.get(conversationId);
      if (c.assignedStaffId !== staff.id) throw new AppError('forbidden', 'This conversation is not assigned to you');
      return c;
    };

    socket.on(
      'agent:hello',
      socketHandler(log, 'agent:hello', emptySchema, async () => {
        const mine = await app.db
          .select()
          .from(conversations)
          .where(and(eq(conversations.assignedStaffId, staff.id), inArray(conversations.state, ['active', 'wrapup'])));
        const openOffers = await app.db
          .select()
          .from(assignments)
          .where(and(eq(assignments.staffId, staff.id), eq(assignments.status, 'offered')));
        const offers: Offer[] = [];
        for (const o of openOffers) {
          offers.push({ offerId: o.id, conversation: await app.conversations.staffView(await app.conversations.get(o.conversationId)), expiresAt: (o.expiresAt ?? new Date()).toISOString() });
        }
        return {
          profile: staff,
          state: await app.router.agentState(staff.id),
          conversations: await Promise.all(mine.map((c) => app.conversations.staffView(c))),
          offers,
        };
      }) as never,
    );

    socket.on(
      'agent:status',
      socketHandler(log, 'agent:status', statusSchema, async (p) => {
        requireChatRole();
        return app.router.setStatus(staff.id, p.status);
      }) as never,
    );

    socket.on(
      'offer:accept',
      socketHandler(log, 'offer:accept', offerRefSchema, async (p) => {
        requireChatRole();
        return app.router.accept(staff.id, p.offerId);
      }) as never,
    );

    socket.on(
      'offer:decline',
      socketHandler(log, 'offer:decline', offerRefSchema, async (p) => {
        requireChatRole();
        await app.router.decline(staff.id, p.offerId);
        return null;
      }) as never,
    );

    socket.on(
      'conversation:history',
      socketHandler(log, 'conversation:history', historySchema, async (p) => {
        const c = await assignedToMe(p.conversationId);
        await app.audit.record({ actorType: 'staff', actorId: staff.id, action: 'transcript.read', targetType: 'conversation', targetId: c.id });
        return { conversation: await app.conversations.staffView(c), messages: await app.conversations.history(c.id, p.afterSeq) };
      }) as never,
    );

    socket.on(
      'message:send',
      socketHandler(log, 'message:send', sendSchema, async (p) => app.conversations.send(me, p, { socketId: socket.id })) as never,
    );

    socket.on(
      'typing',
      socketHandler(log, 'typing', typingSchema, async (p) => {
        await app.conversations.typing(me, p.conversationId, p.typing);
      }) as never,
    );

    socket.on(
      'message:read',
      socketHandler(log, 'message:read', readSchema, async (p) => {
        await app.conversations.markRead(me, p.conversationId, p.seq);
      }) as never,
    );

    socket.on(
      'conversation:end',
      socketHandler(log, 'conversation:end', conversationRefSchema, async (p) => {
        const c = await assignedToMe(p.conversationId);
        return app.conversations.staffView(await app.router.endConversation(c.id, 'counsellor'));
      }) as never,
    );

    socket.on(
      'conversation:transfer',
      socketHandler(log, 'conversation:transfer', transferSchema, async (p) => {
        requireChatRole();
        await app.router.transfer(staff.id, p.conversationId, p.to, p.note, { supervisor: staff.role === 'supervisor' });
        return null;
      }) as never,
    );

    socket.on(
      'conversation:help',
      socketHandler(log, 'conversation:help', conversationRefSchema, async (p) => app.conversations.staffView(await app.router.requestHelp(staff.id, p.conversationId))) as never,
    );

    socket.on(
      'conversation:priority',
      socketHandler(log, 'conversation:priority', prioritySchema, async (p) => {
        // The answer is the conversation's view, transfer note included: not for admins, who read no case.
        if (staff.role !== 'supervisor') await assignedToMe(p.conversationId);
        return app.conversations.staffView(await app.router.setPriority(p.conversationId, p.priority, { type: 'staff', staffId: staff.id }));
      }) as never,
    );

    socket.on(
      'conversation:assign',
      socketHandler(log, 'conversation:assign', assignSchema, async (p) => {
        if (staff.role !== 'supervisor' && staff.role !== 'admin') throw new AppError('forbidden', 'Only supervisors assign by hand');
        await app.router.assignByHand(staff.id, p.conversationId, p.staffId);
        return null;
      }) as never,
    );

    socket.on('disconnect', () => {
      if (chats) void app.router.agentDisconnected(staff.id).catch((err: unknown) => log.warn({ err: loggableError(err) }, 'agentDisconnected failed'));
    });
  });
}
