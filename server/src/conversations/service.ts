// Conversations and their messages. A message is committed (with its gapless per-conversation seq)
// before it is acknowledged; (conversation, clientMsgId) is its identity, so a resend returns it again.
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type {
  AgeGroup,
  ChatMessage,
  ConversationChannel,
  Language,
  StaffConversation,
  SystemEvent,
  Topic,
  VisitorConversation,
} from '@helpline/shared';
import type { Db, DbOrTx, RawQuery } from '../db/client.js';
import { execRows } from '../db/client.js';
import { AppError } from '../http/errors.js';
import { randomToken, sha256 } from '../auth/service.js';
import type { Realtime } from '../realtime/server.js';
import { rooms } from '../realtime/server.js';
import { conversations, messages, visitors } from './tables.js';
import { createMessageWriter, type WriteResult } from './message-writer.js';
import { createConversationEvents } from './events.js';
import type { QueueState } from './queue-state.js';

export type ConversationRow = typeof conversations.$inferSelect;
type MessageRow = typeof messages.$inferSelect;

export type Sender =
  | { type: 'visitor'; visitorId: string }
  | { type: 'staff'; staffId: string; name: string; supervisor?: boolean };

const OPEN_FOR_VISITOR = ['waiting', 'offered', 'active'] as const;

export function toChatMessage(m: MessageRow, senderName?: string | null): ChatMessage {
  return {
    id: m.id,
    conversationId: m.conversationId,
    seq: m.seq,
    clientMsgId: m.clientMsgId,
    sender: m.sender,
    ...(senderName ? { senderName } : {}),
    body: m.body,
    ...(m.systemEvent ? { system: { event: m.systemEvent, ...(m.systemParams ? { params: JSON.parse(m.systemParams) as Record<string, string> } : {}) } } : {}),
    createdAt: m.createdAt.toISOString(),
  };
}

interface RawSystemRow {
  id: string;
  conversation_id: string;
  seq: number | string;
  client_msg_id: string;
  created_at: string | Date;
  visitor_id: string | null;
  assigned_staff_id: string | null;
}

export interface QueueInfo {
  position: number | null;
  estimatedWaitSeconds: number | null;
}

export interface ConversationDeps {
  /** Routing's queue information (routing/queue-info.ts), given at construction. */
  queueInfo(conv: ConversationRow): Promise<QueueInfo>;
  /** A staff member's display name: the accounts' (auth's), read fresh so a rename shows at once. */
  staffName(staffId: string): Promise<string | null>;
  staffNames(staffIds: string[]): Promise<Map<string, string>>;
  queueState: QueueState;
  /** A channel's weight on capacity now (setting `channelWeights`, hundredths of a slot), taken at start. */
  channelWeight(channel: ConversationChannel): Promise<number>;
}

export function createConversationService(db: Db, query: RawQuery, realtime: Realtime, deps: ConversationDeps) {
  const writer = createMessageWriter(query);
  const events = createConversationEvents();

  async function staffName(staffId: string | null): Promise<string | null> {
    return staffId ? deps.staffName(staffId) : null;
  }

  async function get(id: string, tx: DbOrTx = db): Promise<ConversationRow> {
    const [c] = await tx.select().from(conversations).where(eq(conversations.id, id));
    if (!c) throw new AppError('not_found', 'No such conversation');
    return c;
  }

  /** `queue` may be given when the caller computed positions for many conversations at once. */
  async function visitorView(c: ConversationRow, queue?: QueueInfo): Promise<VisitorConversation> {
    const waiting = c.state === 'waiting' || c.state === 'offered';
    const q = waiting ? (queue ?? (await deps.queueInfo(c))) : { position: null, estimatedWaitSeconds: null };
    return {
      id: c.id,
      state: c.state,
      language: c.language,
      topic: c.topic,
      queuePosition: q.position,
      estimatedWaitSeconds: q.estimatedWaitSeconds,
      counsellorName: c.state === 'active' || c.state === 'wrapup' ? await staffName(c.assignedStaffId) : null,
      lastSeq: c.lastSeq,
      readSeq: c.staffReadSeq,
      createdAt: c.createdAt.toISOString(),
    };
  }

  async function staffView(c: ConversationRow): Promise<StaffConversation> {
    return {
      id: c.id,
      channel: c.channel,
      state: c.state,
      priority: c.priority,
      language: c.language,
      topic: c.topic,
      ageGroup: c.ageGroup,
      assignedStaffId: c.assignedStaffId,
      assignedStaffName: await staffName(c.assignedStaffId),
      enqueuedAt: c.enqueuedAt.toISOString(),
      acceptedAt: c.acceptedAt?.toISOString() ?? null,
      endedAt: c.endedAt?.toISOString() ?? null,
      lastSeq: c.lastSeq,
      visitorReadSeq: c.visitorReadSeq,
      riskFlagged: c.riskFlaggedAt !== null,
      helpRequested: c.helpRequestedAt !== null,
      transfer: c.transferNote !== null ? { fromStaffName: await staffName(c.transferredByStaffId), note: c.transferNote } : null,
      createdAt: c.createdAt.toISOString(),
    };
  }

  /** Tell everyone concerned that a conversation changed (the child, its counsellor, watchers). */
  async function publish(c: ConversationRow, extraStaffIds: string[] = []): Promise<void> {
    await events.emit('published', c);
    if (c.visitorId) realtime.widget.to(rooms.visitor(c.visitorId)).emit('conversation:updated', await visitorView(c));
    const view = await staffView(c);
    const targets = new Set([...extraStaffIds, ...(c.assignedStaffId ? [c.assignedStaffId] : [])]);
    let emitter = realtime.agent.to(rooms.watch(c.id));
    for (const s of targets) emitter = emitter.to(rooms.staff(s));
    emitter.emit('conversation:updated', view);
  }

  /**
   * To the child's sockets, the counsellor's and the watching supervisors'. `except`: the socket that
   * sent it, whose acknowledgement carries the message already (its sender's other sockets get it).
   */
  async function fanOutMessage(c: Pick<ConversationRow, 'id' | 'visitorId' | 'assignedStaffId'>, msg: ChatMessage, except?: string): Promise<void> {
    if (c.visitorId) {
      const toChild = realtime.widget.to(rooms.visitor(c.visitorId));
      (except ? toChild.except(except) : toChild).emit('message:new', msg);
    }
    let emitter = realtime.agent.to(rooms.watch(c.id));
    if (c.assignedStaffId) emitter = emitter.to(rooms.staff(c.assignedStaffId));
    (except ? emitter.except(except) : emitter).emit('message:new', msg);
  }

  async function existingMessage(conversationId: string, clientMsgId: string): Promise<MessageRow | null> {
    const [m] = await db
      .select()
      .from(messages)
      .where(and(eq(messages.conversationId, conversationId), eq(messages.clientMsgId, clientMsgId)));
    return m ?? null;
  }

  const service = {
    events,
    /** The queue's columns (priority, risk, overflow, the child's connection), for routing. */
    queue: deps.queueState,
    get,
    visitorView,
    staffView,
    staffViews: (rows: ConversationRow[]) => Promise.all(rows.map(staffView)),
    publish,
    staffName,

    async visitorByToken(token: string): Promise<string | null> {
      if (!token || token.length > 200) return null;
      const [v] = await db.select({ id: visitors.id, endedAt: visitors.endedAt }).from(visitors).where(eq(visitors.tokenHash, sha256(token)));
      return v && !v.endedAt ? v.id : null;
    },

    /**
     * The contact of a channel other than web chat, by its inbox and the keyed hash of the channel's
     * own user id (channels/crypto.ts); created on first contact. Unique per inbox, so two first
     * messages at once make one contact.
     */
    async contactFor(channel: ConversationChannel, inboxId: string, externalHash: string): Promise<string> {
      const [row] = await db
        .insert(visitors)
        .values({ channel, inboxId, externalHash })
        .onConflictDoUpdate({ target: [visitors.inboxId, visitors.externalHash], set: { externalHash: sql`excluded.external_hash` } })
        .returning({ id: visitors.id });
      return row!.id;
    },

    /** Whether a visitor still exists and has not quit (quick exit, erasure). */
    async visitorIsLive(visitorId: string): Promise<boolean> {
      const [v] = await db.select({ endedAt: visitors.endedAt }).from(visitors).where(eq(visitors.id, visitorId));
      return !!v && !v.endedAt;
    },

    /** The visitor's conversation that is still open or in wrap-up (the child still sees it), if any. */
    async currentForVisitor(visitorId: string): Promise<ConversationRow | null> {
      const [c] = await db
        .select()
        .from(conversations)
        .where(and(eq(conversations.visitorId, visitorId), inArray(conversations.state, ['waiting', 'offered', 'active'])))
        .limit(1);
      return c ?? null;
    },

    /** A staff member's own live conversations (active or in wrap-up), for the console's hello. */
    async liveForStaff(staffId: string): Promise<ConversationRow[]> {
      return db
        .select()
        .from(conversations)
        .where(and(eq(conversations.assignedStaffId, staffId), inArray(conversations.state, ['active', 'wrapup'])));
    },

    /** Every conversation of a visitor (return codes find the child's earlier case records). */
    async idsOfVisitor(visitorId: string): Promise<string[]> {
      return (await db.select({ id: conversations.id }).from(conversations).where(eq(conversations.visitorId, visitorId))).map((c) => c.id);
    },

    async latestForVisitor(visitorId: string): Promise<ConversationRow | null> {
      const [c] = await db
        .select()
        .from(conversations)
        .where(eq(conversations.visitorId, visitorId))
        .orderBy(sql`${conversations.createdAt} desc`)
        .limit(1);
      return c ?? null;
    },

    /** Start (or return the already open) conversation of a visitor; creates the visitor on first use. */
    async start(visitorId: string | null, input: { language?: Language; ageGroup?: AgeGroup; topic?: Topic; channel?: ConversationChannel }) {
      let token: string | null = null;
      let vid = visitorId;
      let conversationId: string;
      const language = input.language ?? null;
      const ageGroup = input.ageGroup ?? null;
      const topic = input.topic ?? null;
      const channel = input.channel ?? 'chat';
      const weight = await deps.channelWeight(channel);
      if (vid) {
        const open = await service.currentForVisitor(vid);
        if (open) return { token, visitorId: vid, conversation: open, created: false };
        const [c] = await db
          .insert(conversations)
          .values({ visitorId: vid, state: 'waiting', language, ageGroup, topic, channel, weight })
          .returning({ id: conversations.id });
        conversationId = c!.id;
      } else {
        // A new visitor and their conversation in one statement: routing starts one round trip sooner.
        token = randomToken();
        const [row] = await execRows<{ id: string; visitor_id: string }>(
          db,
          sql`with v as (insert into visitors (token_hash) values (${sha256(token)}) returning id)
              insert into conversations (visitor_id, state, language, age_group, topic, channel, weight)
              select v.id, 'waiting', ${language}, ${ageGroup}, ${topic}, ${channel}, ${weight} from v
              returning id, visitor_id`,
        );
        vid = row!.visitor_id;
        conversationId = row!.id;
      }
      await events.emit('enqueued', conversationId);
      return { token, visitorId: vid, conversation: await get(conversationId), created: true };
    },

    /**
     * Send as the visitor or as staff. Idempotent on (conversation, clientMsgId). `from`: the sending
     * socket, left out of the delivery (its acknowledgement is the message).
     */
    async send(sender: Sender, input: { conversationId: string; clientMsgId: string; body: string }, from?: { socketId: string }): Promise<ChatMessage> {
      // Authorisation runs in the writer, under the conversation's row lock, before a resend is
      // answered: no separate read of the conversation per message.
      const allowed: readonly ConversationRow['state'][] = sender.type === 'visitor' ? OPEN_FOR_VISITOR : ['active'];
      // Group commit: resend detection, state re-check under the row lock, seq and insert happen in
      // the writer's batch statement; it resolves only after that statement has committed.
      let res: WriteResult;
      try {
        res = await writer.write({
          conversationId: input.conversationId,
          clientMsgId: input.clientMsgId,
          sender: sender.type === 'visitor' ? sender : { type: 'staff', staffId: sender.staffId, supervisor: sender.supervisor === true },
          body: input.body,
          allowed,
        });
      } catch (err) {
        // A concurrent resend with the same clientMsgId won the race: answer with the stored one.
        if ((err as { code?: string }).code === '23505') {
          const m = await existingMessage(input.conversationId, input.clientMsgId);
          if (m) return toChatMessage(m, m.senderStaffId ? await staffName(m.senderStaffId) : null);
        }
        throw err;
      }
      const row = res.message;
      const msg = toChatMessage(row, !row.senderStaffId ? null : res.existing ? await staffName(row.senderStaffId) : sender.type === 'staff' ? sender.name : null);
      if (!res.existing) await events.emit('stored', msg.sender);
      if (sender.type === 'staff') await events.emit('staff-message', res.conversation, msg);
      // A resend is delivered again: its first send may have committed without anyone hearing of it
      // (the answer lost with a Postgres connection, or the instance gone right after the commit), and
      // then the other side never got it. Both clients keep messages by id: a second delivery of one
      // they have is not shown twice.
      await fanOutMessage(res.conversation, msg, from?.socketId);
      if (sender.type === 'visitor') await events.emit('visitor-message', res.conversation, input.body);
      return msg;
    },

    /**
     * A system line in the conversation (counsellor joined, transfer, ended...), seen by both sides.
     * One statement advances the counter and inserts the line (atomic on its own, gapless like any
     * message) and returns whom to tell.
     */
    async postSystem(conversationId: string, event: SystemEvent, params?: Record<string, string>): Promise<ChatMessage> {
      const [r] = await execRows<RawSystemRow>(
        db,
        sql`with c as (
              update conversations set last_seq = last_seq + 1 where id = ${conversationId}
              returning id, last_seq, visitor_id, assigned_staff_id
            ), m as (
              insert into messages (conversation_id, seq, client_msg_id, sender, body, system_event, system_params)
              select c.id, c.last_seq, ${`sys:${randomToken(12)}`}, 'system', '', ${event}, ${params ? JSON.stringify(params) : null} from c
              returning id, conversation_id, seq, client_msg_id, created_at
            )
            select m.id, m.conversation_id, m.seq, m.client_msg_id, m.created_at, c.visitor_id, c.assigned_staff_id from m, c`,
      );
      if (!r) throw new AppError('not_found', 'No such conversation');
      const msg = toChatMessage({
        id: r.id,
        conversationId: r.conversation_id,
        seq: Number(r.seq),
        clientMsgId: r.client_msg_id,
        sender: 'system',
        senderStaffId: null,
        body: '',
        systemEvent: event,
        systemParams: params ? JSON.stringify(params) : null,
        createdAt: new Date(r.created_at),
      });
      await fanOutMessage({ id: conversationId, visitorId: r.visitor_id, assignedStaffId: r.assigned_staff_id }, msg);
      return msg;
    },

    /** One message by id (the channels' outbox reads what it delivers). */
    async message(id: string): Promise<ChatMessage | null> {
      const [m] = await db.select().from(messages).where(eq(messages.id, id));
      return m ? toChatMessage(m, m.senderStaffId ? await staffName(m.senderStaffId) : null) : null;
    },

    /** A contact's channel and inbox (null inbox: the widget's visitor). */
    async contactOf(visitorId: string): Promise<{ channel: ConversationChannel; inboxId: string | null } | null> {
      const [v] = await db.select({ channel: visitors.channel, inboxId: visitors.inboxId }).from(visitors).where(eq(visitors.id, visitorId));
      return v ?? null;
    },

    /** Conversations of other channels than web chat that ended in [from, to) (the channels' sweep). */
    async endedOutsideChat(from: Date, to: Date, limit = 500): Promise<ConversationRow[]> {
      return db
        .select()
        .from(conversations)
        .where(and(sql`${conversations.endedAt} >= ${from.toISOString()} and ${conversations.endedAt} < ${to.toISOString()}`, sql`${conversations.channel} <> 'chat'`))
        .orderBy(asc(conversations.endedAt))
        .limit(limit);
    },

    async history(conversationId: string, afterSeq: number, limit = 500): Promise<ChatMessage[]> {
      const rows = await db
        .select()
        .from(messages)
        .where(and(eq(messages.conversationId, conversationId), gt(messages.seq, afterSeq)))
        .orderBy(asc(messages.seq))
        .limit(limit);
      const names = await deps.staffNames([...new Set(rows.flatMap((m) => (m.senderStaffId ? [m.senderStaffId] : [])))]);
      return rows.map((m) => toChatMessage(m, m.senderStaffId ? names.get(m.senderStaffId) : null));
    },

    async markRead(reader: Sender, conversationId: string, seq: number): Promise<void> {
      const c = await get(conversationId);
      if (reader.type === 'visitor') {
        if (c.visitorId !== reader.visitorId) throw new AppError('forbidden', 'Not your conversation');
        await db
          .update(conversations)
          .set({ visitorReadSeq: sql`greatest(${conversations.visitorReadSeq}, least(${seq}, ${conversations.lastSeq}))` })
          .where(eq(conversations.id, conversationId));
        if (c.assignedStaffId) realtime.agent.to(rooms.staff(c.assignedStaffId)).emit('message:read', { conversationId, seq });
      } else {
        if (c.assignedStaffId !== reader.staffId) throw new AppError('forbidden', 'This conversation is not assigned to you');
        await db
          .update(conversations)
          .set({ staffReadSeq: sql`greatest(${conversations.staffReadSeq}, least(${seq}, ${conversations.lastSeq}))` })
          .where(eq(conversations.id, conversationId));
        if (c.visitorId) realtime.widget.to(rooms.visitor(c.visitorId)).emit('message:read', { conversationId, seq });
        if (c.channel !== 'chat') void events.emit('staff-activity', c, 'read').catch(() => {});
      }
    },

    async typing(from: Sender, conversationId: string, typing: boolean): Promise<void> {
      const c = await get(conversationId);
      if (from.type === 'visitor') {
        if (c.visitorId !== from.visitorId) throw new AppError('forbidden', 'Not your conversation');
        if (c.assignedStaffId) realtime.agent.to(rooms.staff(c.assignedStaffId)).emit('typing', { conversationId, typing });
      } else {
        if (c.assignedStaffId !== from.staffId) throw new AppError('forbidden', 'This conversation is not assigned to you');
        if (c.visitorId) realtime.widget.to(rooms.visitor(c.visitorId)).emit('typing', { conversationId, typing });
        if (typing && c.channel !== 'chat') void events.emit('staff-activity', c, 'typing').catch(() => {});
      }
    },

    /** Compare-and-set of the conversation's state; returns the updated row or null when it had moved on. */
    async transition(
      tx: DbOrTx,
      conversationId: string,
      from: readonly ConversationRow['state'][],
      set: PgUpdateSetSource<typeof conversations>,
    ): Promise<ConversationRow | null> {
      const [row] = await tx
        .update(conversations)
        .set(set)
        .where(and(eq(conversations.id, conversationId), inArray(conversations.state, [...from])))
        .returning();
      return row ?? null;
    },

    /** End every open conversation of a visitor and invalidate its token (quick exit). */
    async endVisitor(visitorId: string): Promise<void> {
      await db.update(visitors).set({ endedAt: new Date() }).where(eq(visitors.id, visitorId));
    },
  };
  return service;
}
export type ConversationService = ReturnType<typeof createConversationService>;
