// The /agent namespace: staff with a cookie session. The handshake must come from the platform's own
// origin (no cross-site WebSocket hijacking) and carry a live session.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LANGUAGES, LIMITS, PRIORITIES, TOPICS, type HistoryResult } from '@helpline/shared';
import fastifyCookie from '@fastify/cookie';
import { SESSION_COOKIE } from '../auth/service.js';
import { isOwnOrigin } from '../settings/origins.js';
import { AppError, loggableError } from '../http/errors.js';
import { agentEvents, ALL_STAFF, BOARD_ROLES, CHAT_ROLES, none } from '../realtime/handler.js';
import { rooms, type AgentSocket } from '../realtime/server.js';
import { conversationRefSchema, emptySchema, historySchema, readSchema, sendSchema, typingSchema, uuid } from '../conversations/schemas.js';

const statusSchema = z.object({ status: z.enum(['available', 'away']) }).strict();
const transferSchema = z
  .object({
    conversationId: uuid,
    to: z.discriminatedUnion('type', [
      z.object({ type: z.literal('staff'), staffId: uuid, reserve: z.boolean().optional() }).strict(),
      z.object({ type: z.literal('queue'), language: z.enum(LANGUAGES).optional(), topic: z.enum(TOPICS).optional() }).strict(),
    ]),
    note: z.string().trim().max(LIMITS.noteMaxChars),
  })
  .strict();
const prioritySchema = z.object({ conversationId: uuid, priority: z.enum(PRIORITIES) }).strict();
const assignSchema = z.object({ conversationId: uuid, staffId: uuid }).strict();
const offerRefSchema = z.object({ offerId: uuid }).strict();

export function registerAgentSocket(app: FastifyInstance): void {
  const nsp = app.realtime.agent;

  /** The history of a conversation of another channel carries its messages' delivery states (channels'). */
  async function withDeliveries(h: HistoryResult): Promise<HistoryResult> {
    if (h.conversation.channel === 'chat') return h;
    return { ...h, deliveries: await app.channels.deliveryStates(h.conversation.id) };
  }

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
    const chats = CHAT_ROLES.includes(staff.role);
    if (chats) void app.router.agentConnected(staff.id).catch((err: unknown) => log.warn({ err: loggableError(err) }, 'agentConnected failed'));
    const me = { type: 'staff' as const, staffId: staff.id, name: staff.name };
    const on = agentEvents(socket, log);
    /** Relation: the conversation is assigned to this staff member. */
    const assignedToMe = async (p: { conversationId: string }) => {
      const c = await app.conversations.get(p.conversationId);
      if (c.assignedStaffId !== staff.id) throw new AppError('forbidden', 'This conversation is not assigned to you');
      return c;
    };

    on('agent:hello', {
      schema: emptySchema,
      roles: ALL_STAFF,
      relation: none,
      run: async () => ({
        profile: staff,
        state: await app.router.agentState(staff.id),
        conversations: await app.conversations.staffViews(await app.conversations.liveForStaff(staff.id)),
        offers: await app.router.openOffers(staff.id),
      }),
    });
    on('agent:status', { schema: statusSchema, roles: CHAT_ROLES, relation: none, run: (p) => app.router.setStatus(staff.id, p.status) });
    // The offer's own relation (made to this staff member, still open) is checked by the transition.
    on('offer:accept', { schema: offerRefSchema, roles: CHAT_ROLES, relation: none, run: async (p) => withDeliveries(await app.router.accept(staff.id, p.offerId)) });
    on('offer:decline', {
      schema: offerRefSchema,
      roles: CHAT_ROLES,
      relation: none,
      run: async (p) => {
        await app.router.decline(staff.id, p.offerId);
        return null;
      },
    });
    on('conversation:history', {
      schema: historySchema,
      roles: ALL_STAFF,
      relation: assignedToMe,
      run: async (p, c) => {
        await app.audit.record({ actorType: 'staff', actorId: staff.id, action: 'transcript.read', targetType: 'conversation', targetId: c.id });
        return withDeliveries({ conversation: await app.conversations.staffView(c), messages: await app.conversations.history(c.id, p.afterSeq) });
      },
    });
    // Sending, typing and reading check the assignment inside the conversation service (one place for
    // the socket and the writer's own re-check under its lock).
    on('message:send', { schema: sendSchema, roles: ALL_STAFF, relation: none, run: (p) => app.conversations.send(me, p, { socketId: socket.id }) });
    on('typing', { schema: typingSchema, roles: ALL_STAFF, relation: none, run: (p) => app.conversations.typing(me, p.conversationId, p.typing) });
    on('message:read', {
      schema: readSchema,
      roles: ALL_STAFF,
      relation: none,
      run: async (p) => {
        await app.conversations.markRead(me, p.conversationId, p.seq);
        return null;
      },
    });
    on('conversation:end', {
      schema: conversationRefSchema,
      roles: ALL_STAFF,
      relation: assignedToMe,
      run: async (_p, c) => app.conversations.staffView(await app.router.endConversation(c.id, 'counsellor')),
    });
    on('conversation:transfer', {
      schema: transferSchema,
      roles: CHAT_ROLES,
      // Checked by the transfer itself, under its compare-and-set (a supervisor may move any conversation).
      relation: none,
      run: async (p) => {
        await app.router.transfer(staff.id, p.conversationId, p.to, p.note, { supervisor: staff.role === 'supervisor' });
        return null;
      },
    });
    on('conversation:help', {
      schema: conversationRefSchema,
      roles: ALL_STAFF,
      // Checked by the help request's compare-and-set (assigned to this staff member, still live).
      relation: none,
      run: async (p) => app.conversations.staffView(await app.router.requestHelp(staff.id, p.conversationId)),
    });
    on('conversation:priority', {
      schema: prioritySchema,
      roles: ALL_STAFF,
      // The answer is the conversation's view, transfer note included: not for admins, who read no case.
      relation: async (p) => (staff.role === 'supervisor' ? null : assignedToMe(p)),
      run: async (p) => app.conversations.staffView(await app.router.setPriority(p.conversationId, p.priority, { type: 'staff', staffId: staff.id })),
    });
    on('conversation:assign', {
      schema: assignSchema,
      roles: BOARD_ROLES,
      relation: none,
      run: async (p) => {
        await app.router.assignByHand(staff.id, p.conversationId, p.staffId);
        return null;
      },
    });

    socket.on('disconnect', () => {
      // On this instance's shutdown the sweep of the others decides whether she came back.
      if (chats && !app.realtime.leaving) void app.router.agentDisconnected(staff.id).catch((err: unknown) => log.warn({ err: loggableError(err) }, 'agentDisconnected failed'));
    });
  });
}
