// Routing: who is offered which conversation, and every transition of offers and counsellors' state.
// Each transition is a compare-and-set on the current state in Postgres, so late or repeated events
// (a timeout after an accept, a BullMQ redelivery, a second click) change nothing.
import { and, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { AgentState, AgentStatus, HistoryResult, Offer, Priority, SupervisorAlert, TransferTarget } from '@helpline/shared';
import type { Config } from '../config.js';
import type { Db, RawQuery, Tx } from '../db/client.js';
import { execRows } from '../db/client.js';
import { AppError, loggableError } from '../http/errors.js';
import type { JobsOptions } from 'bullmq';
import type { Jobs } from '../infra/jobs.js';
import type { Realtime } from '../realtime/server.js';
import { rooms } from '../realtime/server.js';
import { staffUsers } from '../auth/tables.js';
import { conversations, PRIORITY_RANK } from '../conversations/tables.js';
import type { ConversationRow, ConversationService, QueueInfo } from '../conversations/service.js';
import type { AuditService } from '../audit/service.js';
import type { SettingsService } from '../settings/service.js';
import { agentStates, assignments } from './tables.js';
import { agentOnline, offerOne, offerTo, pairExists } from './dispatch.js';
import { findRiskWords } from './risk.js';

type AssignmentRow = typeof assignments.$inferSelect;

export interface RoutingDeps {
  db: Db;
  /** The dispatch loop's own connection for the prepared offer statement. */
  dispatchQuery: RawQuery;
  config: Config;
  jobs: Jobs;
  realtime: Realtime;
  conversations: ConversationService;
  audit: AuditService;
  settings: SettingsService;
  log: FastifyBaseLogger;
}

/** How long a kick's caller waits at most for the dispatch pass it asked for (see kick). */
const KICK_WAIT_MS = 100;

export function createRoutingService(d: RoutingDeps) {
  const { db, config, jobs, realtime, conversations: convs, log } = d;

  // ---------- helpers ----------

  async function ensureAgent(staffId: string): Promise<void> {
    await db.insert(agentStates).values({ staffId }).onConflictDoNothing();
  }

  /** A counsellor's routing state; one without a row yet (never connected) is offline and idle. */
  async function agentState(staffId: string): Promise<AgentState> {
    const [row] = await db
      .select({ a: agentStates, capacity: staffUsers.capacity })
      .from(staffUsers)
      .leftJoin(agentStates, eq(agentStates.staffId, staffUsers.id))
      .where(eq(staffUsers.id, staffId));
    if (!row) throw new AppError('not_found', 'No such counsellor');
    const a = row.a;
    return {
      staffId,
      status: a?.status ?? 'offline',
      capacity: row.capacity,
      load: a?.load ?? 0,
      wrapupUntil: a?.wrapupUntil && a.wrapupUntil > new Date() ? a.wrapupUntil.toISOString() : null,
    };
  }

  async function emitAgentState(staffId: string): Promise<AgentState> {
    const s = await agentState(staffId);
    realtime.agent.to(rooms.staff(staffId)).to(rooms.supervisors).emit('agent:state', s);
    await changed();
    return s;
  }

  function alert(a: Omit<SupervisorAlert, 'id' | 'at'>): void {
    realtime.agent.to(rooms.supervisors).emit('alert:new', { id: randomUUID(), at: new Date().toISOString(), ...a });
  }

  // One dispatch loop per instance, re-run while kicks keep coming: no kick is lost, and dispatchers
  // of one instance never queue up behind each other's row locks. Instances run their loops in
  // parallel; the row locks in offerOne keep them correct.
  let dispatching = false;
  let dispatchAgain = false;
  // Kicks waiting for the next whole pass (one that starts after them).
  let passWaiters: (() => void)[] = [];
  function runDispatch(): void {
    dispatching = true;
    void (async () => {
      try {
        while (dispatchAgain) {
          dispatchAgain = false;
          const waiters = passWaiters;
          passWaiters = [];
          try {
            await dispatch();
          } finally {
            for (const w of waiters) w();
          }
        }
      } catch (err) {
        // Postgres down: the sweep kicks again once it answers.
        log.warn({ err: loggableError(err) }, 'dispatch failed');
      } finally {
        dispatching = false;
        if (dispatchAgain) runDispatch();
      }
    })();
  }

  const changeListeners: (() => Promise<void>)[] = [];
  /** Something in the queue or a counsellor's state changed (the supervisors' board listens). */
  async function changed(): Promise<void> {
    for (const l of changeListeners) await l().catch(() => {});
  }

  /**
   * Something may now be offerable: run this instance's dispatch loop. The caller's follow-up work (and
   * the position and board updates here) waits for the pass, at most KICK_WAIT_MS, so that the offer
   * is not kept waiting for the event loop behind them.
   */
  async function kick(): Promise<void> {
    dispatchAgain = true;
    let timer: NodeJS.Timeout | undefined;
    const passed = new Promise<void>((resolve) => {
      passWaiters.push(resolve);
      timer = setTimeout(resolve, KICK_WAIT_MS);
    });
    if (!dispatching) runDispatch();
    await passed;
    clearTimeout(timer);
    await schedulePositions();
    await changed();
  }

  /**
   * Queue positions are recomputed at most every 250 ms, by whichever instance gets the job: one jobId
   * per bucket, run at the bucket's end, so it sees every change made in the bucket. This instance asks
   * once per bucket: later kicks in the same bucket need no Redis call.
   */
  let positionsBucket = -1;
  async function schedulePositions(): Promise<void> {
    const now = Date.now();
    const bucket = Math.floor(now / 250);
    if (bucket === positionsBucket) return;
    if (await schedule('routing', 'positions', {}, { jobId: `positions-${bucket}`, delay: (bucket + 1) * 250 - now })) positionsBucket = bucket;
  }

  /**
   * A job after a change that is already committed. Each is a shortcut the sweep also takes from
   * Postgres (offer deadlines, disconnect, enqueue and wrap-up times), and positions are sent again on
   * the next change: one that cannot be scheduled (Redis away) is logged, never thrown. Thrown, it
   * refused a child's start whose conversation was created (her retry made a second one, and the
   * first was recorded abandoned) and aborted an auto-accept after its offer.
   */
  async function schedule(queue: 'routing' | 'timers', name: string, data: Record<string, unknown>, opts: JobsOptions): Promise<boolean> {
    try {
      await jobs.add(queue, name, data, opts);
      return true;
    } catch (err) {
      log.warn({ err: loggableError(err), job: name }, 'job not scheduled; the sweep takes over');
      return false;
    }
  }

  async function offerPayload(offerId: string, conv: ConversationRow, expiresAt: Date): Promise<Offer> {
    const conversation = await convs.staffView(conv);
    return { offerId, conversation, expiresAt: expiresAt.toISOString(), ...(conversation.transfer ? { transfer: conversation.transfer } : {}) };
  }

  /** Give back one unit of capacity; the counsellor may now take another conversation. */
  async function releaseLoad(tx: Tx, staffId: string): Promise<void> {
    await tx.execute(sql`update agent_states set load = greatest(load - 1, 0), idle_since = now() where staff_id = ${staffId}`);
  }

  /** Ends a live assignment (offered or accepted) of a conversation with the given status. */
  async function closeAssignment(
    tx: Tx,
    conversationId: string,
    status: 'ended' | 'withdrawn',
    reason: string,
  ): Promise<AssignmentRow | null> {
    const [a] = await tx
      .update(assignments)
      .set({ status, endedAt: new Date(), respondedAt: sql`coalesce(${assignments.respondedAt}, now())`, endReason: reason })
      .where(and(eq(assignments.conversationId, conversationId), inArray(assignments.status, ['offered', 'accepted'])))
      .returning();
    if (a) await releaseLoad(tx, a.staffId);
    return a ?? null;
  }

  // ---------- dispatch ----------

  async function dispatch(): Promise<number> {
    let offers = 0;
    for (let i = 0; i < 200; i++) {
      const res = await offerOne(d.dispatchQuery, { offerTimeoutMs: config.OFFER_TIMEOUT_MS, declineCooldownMs: config.DECLINE_COOLDOWN_MS });
      if (res.kind === 'none') break;
      if (res.kind === 'retry') continue;
      offers++;
      await afterOffer(res.offerId, res.conversation, res.staffId, res.expiresAt);
      if (!res.moreWaiting) break;
    }
    if (offers > 0) await schedulePositions();
    return offers;
  }

  /**
   * The offer reaches the counsellor first; the bookkeeping after it (timeout job, state fan-out,
   * auto-accept) runs off the dispatch loop so that the next offer is not kept waiting. A lost timeout
   * job is caught by the sweep (the deadline is in Postgres).
   */
  async function afterOffer(offerId: string, conv: ConversationRow, staffId: string, expiresAt: Date): Promise<void> {
    const pl = await offerPayload(offerId, conv, expiresAt);
    realtime.agent.to(rooms.staff(staffId)).emit('offer:new', pl);
    void (async () => {
      await schedule('timers', 'offer-timeout', { offerId }, { jobId: `offer-timeout-${offerId}`, delay: Math.max(0, expiresAt.getTime() - Date.now()) + 50 });
      await emitAgentState(staffId);
      if (config.AUTO_ACCEPT) await service.accept(staffId, offerId);
    })().catch((err: unknown) => log.warn({ err: loggableError(err), offerId }, 'after-offer bookkeeping failed'));
  }

  // ---------- offers ----------

  async function loadOffer(offerId: string): Promise<AssignmentRow> {
    const [a] = await db.select().from(assignments).where(eq(assignments.id, offerId));
    if (!a) throw new AppError('not_found', 'No such offer');
    return a;
  }

  /** Offer → waiting again (declined, expired or withdrawn), keeping the conversation's place. */
  async function returnOffer(offerId: string, status: 'declined' | 'expired' | 'withdrawn'): Promise<AssignmentRow | null> {
    const a = await db.transaction(async (tx) => {
      const [a] = await tx
        .update(assignments)
        .set({ status, respondedAt: new Date(), endedAt: new Date() })
        .where(and(eq(assignments.id, offerId), eq(assignments.status, 'offered')))
        .returning();
      if (!a) return null;
      await convs.transition(tx, a.conversationId, ['offered'], { state: 'waiting' });
      await releaseLoad(tx, a.staffId);
      if (status === 'expired') {
        await tx.execute(sql`update agent_states set missed_offers = missed_offers + 1 where staff_id = ${a.staffId}`);
      }
      return a;
    });
    if (!a) return null;
    await jobs.remove('timers', `offer-timeout-${offerId}`);
    realtime.agent.to(rooms.staff(a.staffId)).emit('offer:revoked', { offerId, reason: status === 'declined' ? 'declined' : status === 'withdrawn' ? 'withdrawn' : 'expired' });
    if (status === 'expired') {
      const [st] = await db.select().from(agentStates).where(eq(agentStates.staffId, a.staffId));
      if (st && st.missedOffers >= config.MAX_MISSED_OFFERS && st.status === 'available') {
        await db
          .update(agentStates)
          .set({ status: 'away', statusChangedAt: new Date() })
          .where(and(eq(agentStates.staffId, a.staffId), eq(agentStates.status, 'available')));
        alert({ kind: 'missed_offers', staffId: a.staffId });
        await d.audit.record({ actorType: 'system', action: 'agent.set_away_missed_offers', targetType: 'staff', targetId: a.staffId, meta: { missed: st.missedOffers } });
      }
    }
    await emitAgentState(a.staffId);
    await kick();
    return a;
  }

  /** Back to the front of the queue (original enqueue time kept) after the counsellor was lost. */
  async function requeue(conversationId: string, staffId: string, reason: string): Promise<void> {
    const moved = await db.transaction(async (tx) => {
      const c = await convs.transition(tx, conversationId, ['active'], { state: 'waiting', assignedStaffId: null, acceptedAt: null });
      if (!c) return null;
      await closeAssignment(tx, conversationId, 'ended', reason);
      return c;
    });
    if (!moved) return;
    realtime.agent.to(rooms.staff(staffId)).emit('conversation:removed', { conversationId, reason: 'released' });
    await convs.postSystem(conversationId, 'counsellor_left');
    await convs.publish(moved);
  }

  // ---------- queue information ----------

  /** How many counsellors are online, and their capacity together. */
  async function online(): Promise<{ counsellors: number; capacity: number }> {
    const [r] = await execRows<{ n: number; cap: number | null }>(
      db,
      sql`select count(*)::int as n, sum(s.capacity)::int as cap from agent_states a join staff_users s on s.id = a.staff_id where ${agentOnline}`,
    );
    return { counsellors: r?.n ?? 0, capacity: r?.cap ?? 0 };
  }

  // The inputs of the wait estimate change slowly; computing them once a second keeps position
  // updates cheap however long the queue is.
  let etaInputs: { at: number; avgHandle: number; capacity: number } | null = null;
  async function etaBasis(): Promise<{ avgHandle: number; capacity: number }> {
    if (etaInputs && Date.now() - etaInputs.at < 1000) return etaInputs;
    const [h] = await execRows<{ avg: number | null }>(
      db,
      sql`select avg(extract(epoch from (ended_at - accepted_at)))::float8 as avg from (
            select ended_at, accepted_at from conversations
            where ended_at is not null and accepted_at is not null
            order by ended_at desc limit 50) t`,
    );
    etaInputs = { at: Date.now(), avgHandle: h?.avg ?? 300, capacity: (await online()).capacity };
    return etaInputs;
  }

  function estimate(position: number, avgHandle: number, capacity: number): number | null {
    if (capacity <= 0) return null;
    return Math.round((Math.ceil(position / capacity) * avgHandle) / 2 + 5);
  }

  async function queueInfo(c: ConversationRow): Promise<QueueInfo> {
    const rows = await execRows<{ ahead: number }>(
      db,
      sql`select count(*)::int as ahead from conversations
          where state in ('waiting','offered') and (priority_rank, enqueued_at) < (${c.priorityRank}, ${c.enqueuedAt.toISOString()})`,
    );
    const position = (rows[0]?.ahead ?? 0) + 1;
    const basis = await etaBasis();
    return { position, estimatedWaitSeconds: estimate(position, basis.avgHandle, basis.capacity) };
  }

  async function broadcastPositions(): Promise<void> {
    const rows = await execRows<{ id: string; visitor_id: string | null; pos: number }>(
      db,
      sql`select id, visitor_id, row_number() over (order by priority_rank, enqueued_at)::int as pos
          from conversations where state in ('waiting','offered')`,
    );
    if (!rows.length) return;
    const { avgHandle, capacity } = await etaBasis();
    const full = await db.select().from(conversations).where(inArray(conversations.id, rows.map((r) => r.id)));
    const byId = new Map(full.map((c) => [c.id, c]));
    for (const r of rows) {
      const c = byId.get(r.id);
      if (!c?.visitorId) continue;
      const view = await convs.visitorView(c, { position: r.pos, estimatedWaitSeconds: estimate(r.pos, avgHandle, capacity) });
      realtime.widget.to(rooms.visitor(c.visitorId)).emit('conversation:updated', view);
    }
  }

  // ---------- the service ----------

  const service = {
    kick,
    dispatch,

    /** Whether a conversation is still waiting for an offer (a missing one is not). */
    async isWaiting(conversationId: string): Promise<boolean> {
      const [c] = await db.select({ state: conversations.state }).from(conversations).where(eq(conversations.id, conversationId));
      return c?.state === 'waiting';
    },
    onChange(listener: () => Promise<void>): void {
      changeListeners.push(listener);
    },
    /** Wait until this instance's dispatch loop is idle (tests, shutdown). */
    async settle(): Promise<void> {
      while (dispatching) await new Promise((r) => setTimeout(r, 5));
    },
    async onlineCounsellors(): Promise<number> {
      return (await online()).counsellors;
    },
    agentState,
    emitAgentState,
    ensureAgent,
    queueInfo,
    broadcastPositions,

    async accept(staffId: string, offerId: string): Promise<HistoryResult> {
      const a = await loadOffer(offerId);
      if (a.staffId !== staffId) throw new AppError('forbidden', 'This offer is not yours');
      const res = await db.transaction(async (tx) => {
        const [acc] = await tx
          .update(assignments)
          .set({ status: 'accepted', respondedAt: new Date() })
          .where(and(eq(assignments.id, offerId), eq(assignments.status, 'offered')))
          .returning();
        if (!acc) return null;
        const now = new Date();
        const c = await convs.transition(tx, a.conversationId, ['offered'], {
          state: 'active',
          assignedStaffId: staffId,
          acceptedAt: now,
          firstAcceptedAt: sql`coalesce(${conversations.firstAcceptedAt}, now())` as unknown as Date,
        });
        if (!c) throw new AppError('invalid_state', 'The conversation is no longer waiting for you');
        await tx.update(agentStates).set({ missedOffers: 0 }).where(eq(agentStates.staffId, staffId));
        const earlier = await execRows<{ n: number }>(
          tx,
          sql`select count(*)::int as n from assignments where conversation_id = ${a.conversationId} and status = 'ended' and responded_at is not null and id <> ${offerId}`,
        );
        return { c, changed: (earlier[0]?.n ?? 0) > 0 };
      });
      if (!res) throw new AppError('invalid_state', 'This offer is no longer open');
      await jobs.remove('timers', `offer-timeout-${offerId}`);
      const name = (await convs.staffName(staffId)) ?? '';
      await convs.postSystem(res.c.id, res.changed ? 'counsellor_changed' : 'counsellor_joined', { name });
      const fresh = await convs.get(res.c.id);
      await convs.publish(fresh);
      const view = await convs.staffView(fresh);
      realtime.agent.to(rooms.staff(staffId)).emit('conversation:assigned', view);
      await emitAgentState(staffId);
      await schedulePositions();
      return { conversation: view, messages: await convs.history(fresh.id, 0) };
    },

    async decline(staffId: string, offerId: string): Promise<void> {
      const a = await loadOffer(offerId);
      if (a.staffId !== staffId) throw new AppError('forbidden', 'This offer is not yours');
      const done = await returnOffer(offerId, 'declined');
      if (!done) throw new AppError('invalid_state', 'This offer is no longer open');
    },

    /** Timer job: the offer was not answered in time. A no-op if it was answered meanwhile. */
    async expireOffer(offerId: string): Promise<void> {
      await returnOffer(offerId, 'expired');
    },

    /** `by`: who set it when not the counsellor themselves (staffId null: the system, e.g. the CLI disabling an account). */
    async setStatus(staffId: string, status: AgentStatus, by?: { staffId: string | null }): Promise<AgentState> {
      await ensureAgent(staffId);
      const set: Partial<typeof agentStates.$inferInsert> = { status, statusChangedAt: new Date() };
      if (status === 'available') {
        set.missedOffers = 0;
        // "I'm ready": a counsellor who chooses to be available again ends their own wrap-up early.
        if (!by || by.staffId === staffId) set.wrapupUntil = null;
      }
      await db.update(agentStates).set(set).where(eq(agentStates.staffId, staffId));
      if (status !== 'available') {
        // Pending offers go to someone else at once.
        const offers = await db.select({ id: assignments.id }).from(assignments).where(and(eq(assignments.staffId, staffId), eq(assignments.status, 'offered')));
        for (const o of offers) await returnOffer(o.id, 'withdrawn');
      }
      await d.audit.record({ actorType: by?.staffId === null ? 'system' : 'staff', actorId: by ? by.staffId : staffId, action: 'agent.status', targetType: 'staff', targetId: staffId, meta: { status } });
      const s = await emitAgentState(staffId);
      if (status === 'available') await kick();
      return s;
    },

    async setCapacity(staffId: string, capacity: number, by: string | null): Promise<AgentState> {
      await db.update(staffUsers).set({ capacity }).where(eq(staffUsers.id, staffId));
      await d.audit.record({ actorType: by ? 'staff' : 'system', actorId: by, action: 'agent.capacity', targetType: 'staff', targetId: staffId, meta: { capacity } });
      const s = await emitAgentState(staffId);
      await kick();
      return s;
    },

    async agentConnected(staffId: string): Promise<void> {
      await ensureAgent(staffId);
      await db.update(agentStates).set({ disconnectedAt: null }).where(eq(agentStates.staffId, staffId));
      await kick();
    },

    async agentDisconnected(staffId: string): Promise<void> {
      const still = await realtime.agent.in(rooms.staff(staffId)).fetchSockets().catch(() => []);
      if (still.length > 0) return;
      // She was connected until now: the grace counts from this disconnection, whatever older mark a
      // sweep or another instance left (a stale one would release her chats at once).
      await db.update(agentStates).set({ disconnectedAt: new Date() }).where(eq(agentStates.staffId, staffId));
      // A reconnection to another instance (a rolling restart) may have cleared the mark just before
      // it was set: its socket joined the staff room before clearing it, so it shows now. A stale mark
      // would release the counsellor's chats at her next short disconnect, without a grace period.
      const again = await realtime.agent.in(rooms.staff(staffId)).fetchSockets().catch(() => []);
      if (again.length > 0) {
        await db.update(agentStates).set({ disconnectedAt: null }).where(eq(agentStates.staffId, staffId));
        return;
      }
      await schedule('timers', 'agent-grace', { staffId }, { jobId: `agent-grace-${staffId}-${Date.now()}`, delay: config.DISCONNECT_GRACE_MS + 50 });
    },

    /** After the grace period: a counsellor still gone loses their offers and conversations. */
    async checkAgentGrace(staffId: string): Promise<void> {
      const [st] = await db.select().from(agentStates).where(eq(agentStates.staffId, staffId));
      if (!st?.disconnectedAt || Date.now() - st.disconnectedAt.getTime() < config.DISCONNECT_GRACE_MS) return;
      const still = await realtime.agent.in(rooms.staff(staffId)).fetchSockets().catch(() => null);
      if (still === null) return; // cannot tell now; the sweep tries again
      if (still.length > 0) {
        await db.update(agentStates).set({ disconnectedAt: null }).where(eq(agentStates.staffId, staffId));
        return;
      }
      const offers = await db.select({ id: assignments.id }).from(assignments).where(and(eq(assignments.staffId, staffId), eq(assignments.status, 'offered')));
      for (const o of offers) await returnOffer(o.id, 'withdrawn');
      const active = await db
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(eq(conversations.assignedStaffId, staffId), eq(conversations.state, 'active')));
      for (const c of active) await requeue(c.id, staffId, 'counsellor_disconnected');
      await db
        .update(agentStates)
        .set({ status: 'offline', statusChangedAt: new Date() })
        .where(and(eq(agentStates.staffId, staffId), isNotNull(agentStates.disconnectedAt)));
      await d.audit.record({ actorType: 'system', action: 'agent.released_after_disconnect', targetType: 'staff', targetId: staffId, meta: { conversations: active.length } });
      await emitAgentState(staffId);
      await kick();
    },

    /**
     * End the chat. With a counsellor it goes to wrap-up (case record pending); without one, the visitor
     * left the queue: abandoned.
     */
    async endConversation(conversationId: string, by: 'visitor' | 'counsellor' | 'system'): Promise<ConversationRow> {
      const now = new Date();
      const res = await db.transaction(async (tx) => {
        const active = await convs.transition(tx, conversationId, ['active'], { state: 'wrapup', endedAt: now, endedBy: by });
        if (active) {
          const a = await closeAssignment(tx, conversationId, 'ended', `ended_by_${by}`);
          if (a) {
            const wrapMs = active.priority === 'urgent' ? config.WRAPUP_URGENT_MS : config.WRAPUP_MS;
            await tx.update(agentStates).set({ wrapupUntil: new Date(now.getTime() + wrapMs) }).where(eq(agentStates.staffId, a.staffId));
          }
          return { c: active, staffId: a?.staffId ?? null, abandoned: false };
        }
        const waiting = await convs.transition(tx, conversationId, ['waiting', 'offered'], { state: 'abandoned', endedAt: now, endedBy: by, closedAt: now });
        if (waiting) {
          const a = await closeAssignment(tx, conversationId, 'withdrawn', 'abandoned');
          return { c: waiting, staffId: a?.staffId ?? null, abandoned: true, offerId: a?.id };
        }
        return null;
      });
      if (!res) {
        const c = await convs.get(conversationId);
        if (['wrapup', 'closed', 'abandoned'].includes(c.state)) return c; // already ended: idempotent
        throw new AppError('invalid_state', `The conversation is ${c.state}`);
      }
      if (res.abandoned) {
        if (res.staffId && 'offerId' in res && res.offerId) {
          realtime.agent.to(rooms.staff(res.staffId)).emit('offer:revoked', { offerId: res.offerId, reason: 'withdrawn' });
          await jobs.remove('timers', `offer-timeout-${res.offerId}`);
        }
        await d.audit.record({ actorType: 'system', action: 'conversation.abandoned', targetType: 'conversation', targetId: conversationId, meta: { waitSeconds: Math.round((now.getTime() - res.c.enqueuedAt.getTime()) / 1000) } });
      } else {
        await convs.postSystem(conversationId, by === 'visitor' ? 'ended_by_visitor' : by === 'counsellor' ? 'ended_by_counsellor' : 'ended_by_system');
        const wrapMs = res.c.priority === 'urgent' ? config.WRAPUP_URGENT_MS : config.WRAPUP_MS;
        // With no wrap-up time the counsellor is free at once (the kick below offers them the next one).
        if (res.staffId && wrapMs > 0) {
          await schedule('timers', 'wrapup-end', { staffId: res.staffId }, { jobId: `wrapup-end-${res.staffId}-${now.getTime()}`, delay: wrapMs + 50 });
        }
      }
      const fresh = await convs.get(conversationId);
      await convs.publish(fresh, res.staffId ? [res.staffId] : []);
      if (res.staffId) await emitAgentState(res.staffId);
      await kick();
      return fresh;
    },

    async setPriority(conversationId: string, priority: Priority, by: { type: 'staff'; staffId: string } | { type: 'system'; reason: string }): Promise<ConversationRow> {
      const [c] = await db
        .update(conversations)
        .set({ priority, priorityRank: PRIORITY_RANK[priority] })
        .where(and(eq(conversations.id, conversationId), inArray(conversations.state, ['waiting', 'offered', 'active'])))
        .returning();
      if (!c) throw new AppError('invalid_state', 'Only open conversations can change priority');
      await d.audit.record({ actorType: by.type, actorId: by.type === 'staff' ? by.staffId : null, action: 'conversation.priority', targetType: 'conversation', targetId: conversationId, meta: { priority, ...(by.type === 'system' ? { reason: by.reason } : {}) } });
      await convs.publish(c);
      await kick();
      return c;
    },

    /** Risk words raise a waiting or active conversation to urgent and alert supervisors. Never answers the child. */
    async checkRisk(conv: Pick<ConversationRow, 'id' | 'riskFlaggedAt'>, body: string): Promise<void> {
      if (conv.riskFlaggedAt) return;
      const words = await d.settings.get('riskWords');
      const hit = findRiskWords(body, words);
      if (!hit) return;
      const [c] = await db
        .update(conversations)
        .set({ riskFlaggedAt: new Date(), priority: 'urgent', priorityRank: 0 })
        .where(and(eq(conversations.id, conv.id), sql`${conversations.riskFlaggedAt} is null`))
        .returning();
      if (!c) return;
      // The audit keeps which list matched, never the words the child wrote.
      await d.audit.record({ actorType: 'system', action: 'conversation.risk_flagged', targetType: 'conversation', targetId: c.id, meta: { list: hit.list } });
      alert({ kind: 'risk', conversationId: c.id });
      await convs.publish(c);
      await kick();
    },

    visitorConnected: async (visitorId: string) => {
      await db
        .update(conversations)
        .set({ visitorDisconnectedAt: null })
        .where(and(eq(conversations.visitorId, visitorId), inArray(conversations.state, ['waiting', 'offered', 'active'])));
    },

    async visitorDisconnected(visitorId: string): Promise<void> {
      const still = await realtime.widget.in(rooms.visitor(visitorId)).fetchSockets().catch(() => []);
      if (still.length > 0) return;
      const open = await db
        .update(conversations)
        .set({ visitorDisconnectedAt: new Date() })
        .where(and(eq(conversations.visitorId, visitorId), inArray(conversations.state, ['waiting', 'offered']), sql`${conversations.visitorDisconnectedAt} is null`))
        .returning({ id: conversations.id });
      for (const c of open) {
        await schedule('timers', 'visitor-grace', { conversationId: c.id }, { jobId: `visitor-grace-${c.id}-${Date.now()}`, delay: config.VISITOR_GRACE_MS + 50 });
      }
    },

    /** A waiting child gone for longer than the grace: the contact is abandoned. */
    async checkVisitorGrace(conversationId: string): Promise<void> {
      const c = await convs.get(conversationId).catch(() => null);
      if (!c || !c.visitorDisconnectedAt || !['waiting', 'offered'].includes(c.state)) return;
      if (Date.now() - c.visitorDisconnectedAt.getTime() < config.VISITOR_GRACE_MS) return;
      const still = c.visitorId ? await realtime.widget.in(rooms.visitor(c.visitorId)).fetchSockets().catch(() => null) : [];
      if (still === null) return;
      if (still.length) {
        await db.update(conversations).set({ visitorDisconnectedAt: null }).where(eq(conversations.id, c.id));
        return;
      }
      await service.endConversation(c.id, 'system');
    },

    async overflow(conversationId: string): Promise<void> {
      const [c] = await db
        .update(conversations)
        .set({ overflow: true })
        .where(and(eq(conversations.id, conversationId), eq(conversations.state, 'waiting'), eq(conversations.overflow, false)))
        .returning({ id: conversations.id });
      if (c) await kick();
    },

    async onEnqueued(conversationId: string): Promise<void> {
      // The fast path first: this instance's dispatch loop starts now. Then the durable path: whichever
      // instance takes the `route` job routes the conversation even if this instance dies right now.
      await kick();
      await Promise.all([
        schedule('routing', 'route', { conversationId }, { jobId: `route-${conversationId}` }),
        config.OVERFLOW_AFTER_MS > 0
          ? schedule('timers', 'overflow', { conversationId }, { jobId: `overflow-${conversationId}`, delay: config.OVERFLOW_AFTER_MS })
          : Promise.resolve(),
      ]);
    },

    /**
     * Transfer: the current counsellor's assignment ends (no wrap-up: the conversation goes on), the note
     * travels with the conversation, and it is offered to the chosen counsellor or put back in the queue
     * (with its original place) for another language or topic. The child is told.
     */
    async transfer(fromStaffId: string, conversationId: string, to: TransferTarget, note: string, opts: { supervisor?: boolean } = {}): Promise<void> {
      const c0 = await convs.get(conversationId);
      if (c0.assignedStaffId !== fromStaffId && !opts.supervisor) throw new AppError('forbidden', 'This conversation is not assigned to you');
      if (to.type === 'staff' && to.staffId === c0.assignedStaffId) throw new AppError('invalid_payload', 'Choose another counsellor');
      const previous = c0.assignedStaffId;
      const res = await db.transaction(async (tx) => {
        const moved = await convs.transition(tx, conversationId, ['active'], {
          state: 'waiting',
          assignedStaffId: null,
          acceptedAt: null,
          transferNote: note,
          transferredByStaffId: fromStaffId,
          ...(to.type === 'queue' ? { ...(to.language ? { language: to.language } : {}), ...(to.topic ? { topic: to.topic } : {}), overflow: false } : {}),
        });
        if (!moved) throw new AppError('invalid_state', 'Only an active conversation can be transferred');
        await closeAssignment(tx, conversationId, 'ended', 'transferred');
        if (to.type === 'queue') return { offer: null };
        const offer = await offerTo(tx, conversationId, to.staffId, config.OFFER_TIMEOUT_MS, note);
        if ('refused' in offer) {
          throw new AppError('conflict', offer.refused === 'at_capacity' ? 'That counsellor is at capacity' : 'That counsellor is not available');
        }
        return { offer, staffId: to.staffId };
      });
      await d.audit.record({ actorType: 'staff', actorId: fromStaffId, action: 'conversation.transfer', targetType: 'conversation', targetId: conversationId, meta: { to: to.type, ...(to.type === 'staff' ? { staffId: to.staffId } : {}) } });
      if (previous) {
        realtime.agent.to(rooms.staff(previous)).emit('conversation:removed', { conversationId, reason: 'transferred' });
        await emitAgentState(previous);
      }
      await convs.postSystem(conversationId, 'transferred');
      const after = await convs.get(conversationId);
      if (res.offer && 'staffId' in res && res.staffId) await afterOffer(res.offer.offerId, after, res.staffId, res.offer.expiresAt);
      await convs.publish(after);
      await kick();
    },

    /** A supervisor offers a waiting conversation to a chosen counsellor now. */
    async assignByHand(supervisorId: string, conversationId: string, staffId: string): Promise<void> {
      const offer = await db.transaction((tx) => offerTo(tx, conversationId, staffId, config.OFFER_TIMEOUT_MS, null));
      if ('refused' in offer) {
        throw new AppError(offer.refused === 'not_waiting' ? 'invalid_state' : 'conflict', offer.refused === 'not_waiting' ? 'The conversation is not waiting' : offer.refused === 'at_capacity' ? 'That counsellor is at capacity' : 'That counsellor is not available');
      }
      await d.audit.record({ actorType: 'staff', actorId: supervisorId, action: 'conversation.assign', targetType: 'conversation', targetId: conversationId, meta: { staffId } });
      await afterOffer(offer.offerId, await convs.get(conversationId), staffId, offer.expiresAt);
    },

    /** The counsellor asks for a supervisor: flag the conversation and alert supervisors live. */
    async requestHelp(staffId: string, conversationId: string): Promise<ConversationRow> {
      const c0 = await convs.get(conversationId);
      if (c0.assignedStaffId !== staffId) throw new AppError('forbidden', 'This conversation is not assigned to you');
      const [c] = await db.update(conversations).set({ helpRequestedAt: new Date() }).where(eq(conversations.id, conversationId)).returning();
      await d.audit.record({ actorType: 'staff', actorId: staffId, action: 'conversation.help_requested', targetType: 'conversation', targetId: conversationId });
      alert({ kind: 'help_requested', conversationId, staffId });
      await convs.publish(c!);
      return c!;
    },

    /**
     * The safety net under every timer: derives from Postgres what BullMQ timers would have done (they
     * may be lost with Redis), and notices counsellors whose instance died without a disconnect event.
     */
    async sweep(): Promise<void> {
      const overdue = await db
        .select({ id: assignments.id })
        .from(assignments)
        .where(and(eq(assignments.status, 'offered'), lt(assignments.expiresAt, new Date(Date.now() - 1000))));
      for (const o of overdue) await service.expireOffer(o.id);

      const connected = await realtime.agent.fetchSockets().catch(() => null);
      if (connected) {
        const online = new Set(connected.map((s) => s.data.staff?.id).filter(Boolean));
        const present = await db
          .select({ staffId: agentStates.staffId, disconnectedAt: agentStates.disconnectedAt })
          .from(agentStates)
          .where(sql`${agentStates.status} <> 'offline' or ${agentStates.load} > 0`);
        for (const p of present) {
          if (online.has(p.staffId)) {
            if (p.disconnectedAt) await db.update(agentStates).set({ disconnectedAt: null }).where(eq(agentStates.staffId, p.staffId));
          } else if (!p.disconnectedAt) {
            await db.update(agentStates).set({ disconnectedAt: new Date() }).where(and(eq(agentStates.staffId, p.staffId), sql`${agentStates.disconnectedAt} is null`));
          } else if (Date.now() - p.disconnectedAt.getTime() >= config.DISCONNECT_GRACE_MS) {
            await service.checkAgentGrace(p.staffId);
          }
        }
      }

      // Waiting children whose instance died sent no disconnect: notice them here.
      const waiting = await db
        .select({ visitorId: conversations.visitorId })
        .from(conversations)
        .where(and(inArray(conversations.state, ['waiting', 'offered']), sql`${conversations.visitorDisconnectedAt} is null`, isNotNull(conversations.visitorId)))
        .limit(2000);
      if (waiting.length) {
        const sockets = await realtime.widget
          .in(waiting.map((w) => rooms.visitor(w.visitorId!)))
          .fetchSockets()
          .catch(() => null);
        if (sockets) {
          const here = new Set(sockets.map((s) => s.data.visitorId));
          const lost = waiting.map((w) => w.visitorId!).filter((v) => !here.has(v));
          if (lost.length) {
            await db
              .update(conversations)
              .set({ visitorDisconnectedAt: new Date() })
              .where(and(inArray(conversations.visitorId, lost), inArray(conversations.state, ['waiting', 'offered']), sql`${conversations.visitorDisconnectedAt} is null`));
          }
        }
      }

      const gone = await db
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(inArray(conversations.state, ['waiting', 'offered']), lt(conversations.visitorDisconnectedAt, new Date(Date.now() - config.VISITOR_GRACE_MS))));
      for (const c of gone) await service.checkVisitorGrace(c.id);

      if (config.OVERFLOW_AFTER_MS > 0) {
        await db
          .update(conversations)
          .set({ overflow: true })
          .where(and(eq(conversations.state, 'waiting'), eq(conversations.overflow, false), lt(conversations.enqueuedAt, new Date(Date.now() - config.OVERFLOW_AFTER_MS))));
      }
      if (await pairExists(db, config.DECLINE_COOLDOWN_MS)) await kick();
    },
  };
  return service;
}
export type RoutingService = ReturnType<typeof createRoutingService>;
