// Outbound: the durable outbox. A staff message on a conversation of another channel than web chat gets
// a `deliveries` row before its sender's acknowledgement (the conversation service awaits the
// 'staff-message' listener), then a BullMQ job whose id is the delivery's (added twice = once), tried
// with exponential backoff. A job lost between the commit and the add (an instance died, Redis lost it)
// is added again by the sweep. Each state change goes to the counsellor's sockets ('message:delivery').
import { and, asc, desc, eq, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Job } from 'bullmq';
import type { FastifyBaseLogger } from 'fastify';
import type { ChatMessage, DeliveryFailureReason, FailedDelivery, MessageDelivery } from '@helpline/shared';
import type { Db } from '../db/client.js';
import type { Config } from '../config.js';
import type { Clock } from '../infra/clock.js';
import type { Jobs } from '../infra/jobs.js';
import type { Realtime } from '../realtime/server.js';
import { rooms } from '../realtime/server.js';
import { AppError, loggableError } from '../http/errors.js';
import type { ConversationRow, ConversationService } from '../conversations/service.js';
import type { WrittenConversation } from '../conversations/message-writer.js';
import type { Inboxes, OpenInbox } from './inboxes.js';
import { deliveries, type DeliveryKind } from './tables.js';

type DeliveryRow = typeof deliveries.$inferSelect;

/** What an adapter is asked to hand to its outside system. */
export type Outgoing =
  | { kind: 'message.created'; deliveryId: string; conversationId: string; message: ChatMessage }
  | { kind: 'conversation.ended'; deliveryId: string; conversationId: string; endedAt: string };

export interface ChannelAdapter {
  /** Resolves when the outside system took it (its id for it, if any); throws with a reason otherwise. */
  deliver(inbox: OpenInbox, out: Outgoing): Promise<{ externalId?: string }>;
}

/** The channel refused this delivery for good (no retry): failed at once with a reason the console translates. */
export class DeliveryRefused extends Error {
  constructor(
    public readonly reason: DeliveryFailureReason,
    message: string,
  ) {
    super(message);
  }
}

/** A failed attempt the channel asked to repeat no sooner than `retryAfterMs` (a 429's Retry-After). */
export class RetryLater extends Error {
  constructor(
    message: string,
    public readonly retryAfterMs: number | null,
  ) {
    super(message);
  }
}

/** States a receipt may move a delivery to, in order: a late 'delivered' never undoes 'read'. */
const RECEIPT_FROM: Record<'delivered' | 'read', ('sent' | 'delivered')[]> = { delivered: ['sent'], read: ['sent', 'delivered'] };

const jobIdOf = (d: Pick<DeliveryRow, 'id' | 'replays'>) => (d.replays ? `${d.id}-r${d.replays}` : d.id);

/**
 * How far back the sweep looks for ended conversations without their `conversation.ended` row (an
 * instance that died between the end's commit and the row's insert). Any instance's sweep runs every
 * few seconds, so an hour covers every crash but a whole deployment down for longer.
 */
const ENDED_LOOKBACK_MS = 3_600_000;

export interface OutboxDeps {
  db: Db;
  config: Pick<Config, 'DELIVERY_ATTEMPTS' | 'DELIVERY_BACKOFF_MS' | 'DELIVERY_SWEEP_AFTER_MS'>;
  jobs: Jobs;
  realtime: Realtime;
  conversations: ConversationService;
  inboxes: Inboxes;
  adapters: Partial<Record<OpenInbox['channel'], ChannelAdapter>>;
  clock: Clock;
  log: FastifyBaseLogger;
}

export function createOutbox(d: OutboxDeps) {
  const { db } = d;

  const toEvent = (row: DeliveryRow & { messageId: string }): MessageDelivery => ({
    messageId: row.messageId,
    conversationId: row.conversationId,
    state: row.state,
    attempts: row.attempts,
    error: row.lastError,
    reason: row.reason,
  });

  async function announce(row: DeliveryRow): Promise<void> {
    if (!row.messageId) return;
    const c = await d.conversations.get(row.conversationId).catch(() => null);
    if (!c) return;
    const event = toEvent({ ...row, messageId: row.messageId });
    let to = d.realtime.agent.to(rooms.watch(c.id));
    if (c.assignedStaffId) to = to.to(rooms.staff(c.assignedStaffId));
    to.emit('message:delivery', event);
  }

  async function enqueue(row: DeliveryRow): Promise<void> {
    await d.jobs.add('channels', 'deliver', { deliveryId: row.id }, {
      jobId: jobIdOf(row),
      attempts: d.config.DELIVERY_ATTEMPTS,
      // Exponential, but never sooner than a 429's Retry-After (infra/jobs.ts).
      backoff: { type: 'retry-after', delay: d.config.DELIVERY_BACKOFF_MS },
      removeOnComplete: true,
      removeOnFail: 1000,
    });
  }

  /** The outbox row of one thing to deliver, created once (by its dedupe key); its job while queued. */
  async function ensure(inboxId: string, conversationId: string, kind: DeliveryKind, messageId: string | null, dedupeKey: string): Promise<void> {
    const [created] = await db.insert(deliveries).values({ inboxId, conversationId, kind, messageId, dedupeKey }).onConflictDoNothing().returning();
    const row = created ?? (await db.select().from(deliveries).where(eq(deliveries.dedupeKey, dedupeKey)))[0];
    if (!row || row.state !== 'queued') return;
    await enqueue(row);
    if (created) await announce(row);
  }

  async function inboxOf(conversation: Pick<WrittenConversation, 'channel' | 'visitorId'>): Promise<string | null> {
    if (conversation.channel === 'chat' || !conversation.visitorId) return null;
    return (await d.conversations.contactOf(conversation.visitorId))?.inboxId ?? null;
  }

  async function attempt(data: Record<string, unknown>, job: Job): Promise<void> {
    const [row] = await db.select().from(deliveries).where(eq(deliveries.id, String(data.deliveryId)));
    // Sent already, failed and not replayed, or gone with its conversation: a redelivered job does nothing.
    if (!row || row.state !== 'queued') return;
    let last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    try {
      const inbox = await d.inboxes.open(row.inboxId);
      const adapter = inbox ? d.adapters[inbox.channel] : undefined;
      if (!inbox || !adapter) throw new Error('the inbox has no adapter');
      if (!inbox.enabled) throw new Error('the inbox is turned off');
      const out: Outgoing | null =
        row.kind === 'message.created'
          ? await d.conversations.message(row.messageId ?? '').then((message) => (message ? { kind: 'message.created' as const, deliveryId: row.id, conversationId: row.conversationId, message } : null))
          : { kind: 'conversation.ended', deliveryId: row.id, conversationId: row.conversationId, endedAt: (await d.conversations.get(row.conversationId)).endedAt?.toISOString() ?? row.createdAt.toISOString() };
      if (!out) throw new Error('the message is gone');
      const res = await adapter.deliver(inbox, out);
      const [sent] = await db
        .update(deliveries)
        .set({ state: 'sent', attempts: sql`${deliveries.attempts} + 1`, lastError: null, externalId: res.externalId ?? null, updatedAt: new Date() })
        .where(and(eq(deliveries.id, row.id), eq(deliveries.state, 'queued')))
        .returning();
      if (sent) await announce(sent);
    } catch (err) {
      const refused = err instanceof DeliveryRefused ? err.reason : null;
      if (refused) last = true;
      const reason = loggableError(err).message.slice(0, 500);
      const [next] = await db
        .update(deliveries)
        .set({ state: last ? 'failed' : 'queued', attempts: sql`${deliveries.attempts} + 1`, lastError: reason, reason: refused, updatedAt: new Date() })
        .where(and(eq(deliveries.id, row.id), eq(deliveries.state, 'queued')))
        .returning();
      if (next) await announce(next);
      d.log.warn({ deliveryId: row.id, attempt: job.attemptsMade + 1, last, reason }, 'delivery failed');
      // Thrown, BullMQ tries again after the backoff; after the last attempt the row says failed.
      if (!last) throw err;
    }
  }

  d.jobs.define('channels', 'deliver', attempt);

  /** A conversation of another channel that ended is told to its inbox (once: by its dedupe key). */
  async function onPublished(c: ConversationRow): Promise<void> {
    if (!c.endedAt || !['wrapup', 'closed', 'abandoned'].includes(c.state)) return;
    const inboxId = await inboxOf(c);
    if (inboxId) await ensure(inboxId, c.id, 'conversation.ended', null, `ended:${c.id}`);
  }

  /** Ended conversations of other channels, past the sweep's delay, whose `conversation.ended` row is missing. */
  async function sweepEnded(): Promise<void> {
    const now = d.clock.now();
    const ended = await d.conversations.endedOutsideChat(new Date(now - ENDED_LOOKBACK_MS), new Date(now - d.config.DELIVERY_SWEEP_AFTER_MS));
    if (!ended.length) return;
    const have = await db
      .select({ key: deliveries.dedupeKey })
      .from(deliveries)
      .where(inArray(deliveries.dedupeKey, ended.map((c) => `ended:${c.id}`)));
    const known = new Set(have.map((r) => r.key));
    for (const c of ended) if (!known.has(`ended:${c.id}`)) await onPublished(c);
  }

  return {
    /** Subscribed to the conversation service's 'staff-message': awaited before the sender's ack. */
    async onStaffMessage(conversation: WrittenConversation, message: ChatMessage): Promise<void> {
      const inboxId = await inboxOf(conversation);
      if (inboxId) await ensure(inboxId, conversation.id, 'message.created', message.id, `message:${message.id}`);
    },

    /** Subscribed to 'published': a conversation of another channel that ended is told to its inbox. */
    async onPublished(c: ConversationRow): Promise<void> {
      await onPublished(c);
    },

    /**
     * The delivery state of each staff message of a conversation (none for web chat), as
     * 'message:delivery' last told it: sent with the history, so a console reload shows it again.
     */
    async messageStates(conversationId: string, limit = 500): Promise<MessageDelivery[]> {
      const rows = await db
        .select()
        .from(deliveries)
        .where(and(eq(deliveries.conversationId, conversationId), eq(deliveries.kind, 'message.created')))
        .orderBy(desc(deliveries.createdAt))
        .limit(limit);
      return rows.flatMap((r) => (r.messageId ? [toEvent({ ...r, messageId: r.messageId })] : []));
    },

    /** A receipt of the app (delivered, read) for its own message ids: moves those deliveries forward only. */
    async receipt(inboxId: string, externalIds: string[], state: 'delivered' | 'read'): Promise<number> {
      if (!externalIds.length) return 0;
      const rows = await db
        .update(deliveries)
        .set({ state, updatedAt: new Date() })
        .where(and(eq(deliveries.inboxId, inboxId), inArray(deliveries.externalId, externalIds), inArray(deliveries.state, RECEIPT_FROM[state])))
        .returning();
      for (const r of rows) await announce(r);
      return rows.length;
    },

    /** A receipt by watermark (Messenger's read): every message of the conversation sent up to then. */
    async receiptUpTo(inboxId: string, conversationId: string, upTo: Date, state: 'delivered' | 'read'): Promise<number> {
      const rows = await db
        .update(deliveries)
        .set({ state, updatedAt: new Date() })
        .where(
          and(
            eq(deliveries.inboxId, inboxId),
            eq(deliveries.conversationId, conversationId),
            eq(deliveries.kind, 'message.created'),
            inArray(deliveries.state, RECEIPT_FROM[state]),
            lte(deliveries.createdAt, upTo),
          ),
        )
        .returning();
      for (const r of rows) await announce(r);
      return rows.length;
    },

    async failed(inboxId: string, limit = 200): Promise<FailedDelivery[]> {
      const rows = await db
        .select()
        .from(deliveries)
        .where(and(eq(deliveries.inboxId, inboxId), eq(deliveries.state, 'failed')))
        .orderBy(desc(deliveries.updatedAt))
        .limit(limit);
      return rows.map((r) => ({ id: r.id, kind: r.kind, conversationId: r.conversationId, messageId: r.messageId, attempts: r.attempts, lastError: r.lastError, updatedAt: r.updatedAt.toISOString() }));
    },

    /** An admin sends a failed delivery again: queued, with a job of its own. */
    async replay(id: string): Promise<void> {
      const [row] = await db
        .update(deliveries)
        .set({ state: 'queued', replays: sql`${deliveries.replays} + 1`, reason: null, updatedAt: new Date() })
        .where(and(eq(deliveries.id, id), eq(deliveries.state, 'failed')))
        .returning();
      if (!row) throw new AppError('invalid_state', 'Only a failed delivery can be replayed');
      await enqueue(row);
      await announce(row);
    },

    /**
     * Queued deliveries whose job is gone get it back; one whose job failed outside `attempt` is
     * failed; an ended conversation whose `conversation.ended` row was lost to a crash gets it.
     */
    async sweep(): Promise<void> {
      const rows = await db
        .select()
        .from(deliveries)
        .where(and(eq(deliveries.state, 'queued'), lt(deliveries.updatedAt, new Date(d.clock.now() - d.config.DELIVERY_SWEEP_AFTER_MS))))
        .orderBy(asc(deliveries.updatedAt))
        .limit(500);
      for (const row of rows) {
        const job = await d.jobs.state('channels', jobIdOf(row));
        if (!job) await enqueue(row);
        else if (job.state === 'failed') {
          const [failed] = await db
            .update(deliveries)
            .set({ state: 'failed', lastError: row.lastError ?? job.failedReason ?? 'the job failed', updatedAt: new Date() })
            .where(and(eq(deliveries.id, row.id), eq(deliveries.state, 'queued')))
            .returning();
          if (failed) await announce(failed);
        }
      }
      await sweepEnded();
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
