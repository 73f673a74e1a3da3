// Offers: the dispatch loop that makes them (one Postgres statement each, dispatch.ts), and every
// transition of an offer or an assignment: accept, decline, expiry, withdrawal, requeue after a lost
// counsellor, transfer and assignment by hand. Each is a compare-and-set on the current state.
import { and, eq, sql } from 'drizzle-orm';
import type { HistoryResult, Offer, TransferTarget } from '@helpline/shared';
import { execRows } from '../db/client.js';
import { AppError, loggableError } from '../http/errors.js';
import { rooms } from '../realtime/server.js';
import type { ConversationRow } from '../conversations/service.js';
import { agentStates, assignments } from './tables.js';
import { offerOne, offerTo, takesChats } from './dispatch.js';
import type { AssignmentRow, RoutingCore, RoutingDeps } from './core.js';

/** How long a kick's caller waits at most for the dispatch pass it asked for (see kick). */
const KICK_WAIT_MS = 100;

export function createOffers(d: RoutingDeps, core: RoutingCore) {
  const { db, config, jobs, realtime, conversations: convs, log, clock } = d;
  const { schedule, schedulePositions, emitAgentState, changed, offerPayload, releaseLoad, closeAssignment, alert } = core;

  // One dispatch loop per instance, re-run while kicks keep coming: no kick is lost, and dispatchers
  // of one instance never queue up behind each other's row locks. Instances run their loops in
  // parallel; the row locks in offerOne keep them correct.
  let dispatching = false;
  let dispatchAgain = false;
  // Kicks waiting for the next whole pass (one that starts after them).
  let passWaiters: (() => void)[] = [];
  // Resolved when the loop goes idle (settle).
  let idleWaiters: (() => void)[] = [];
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
        else for (const w of idleWaiters.splice(0)) w();
      }
    })();
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
      await schedule('timers', 'offer-timeout', { offerId }, { jobId: `offer-timeout-${offerId}`, delay: Math.max(0, expiresAt.getTime() - clock.now()) + 50 });
      await emitAgentState(staffId);
      if (config.AUTO_ACCEPT) await accept(staffId, offerId);
    })().catch((err: unknown) => log.warn({ err: loggableError(err), offerId }, 'after-offer bookkeeping failed'));
  }

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
      await releaseLoad(tx, a);
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

  async function accept(staffId: string, offerId: string): Promise<HistoryResult> {
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
        firstAcceptedAt: sql`coalesce(first_accepted_at, now())`,
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
  }

  /** A staff member's open offers (the console's hello after a reload). */
  async function openOffers(staffId: string): Promise<Offer[]> {
    const open = await db.select().from(assignments).where(and(eq(assignments.staffId, staffId), eq(assignments.status, 'offered')));
    const offers: Offer[] = [];
    for (const o of open) {
      offers.push({ offerId: o.id, conversation: await convs.staffView(await convs.get(o.conversationId)), expiresAt: (o.expiresAt ?? new Date()).toISOString() });
    }
    return offers;
  }

  async function decline(staffId: string, offerId: string): Promise<void> {
    const a = await loadOffer(offerId);
    if (a.staffId !== staffId) throw new AppError('forbidden', 'This offer is not yours');
    const done = await returnOffer(offerId, 'declined');
    if (!done) throw new AppError('invalid_state', 'This offer is no longer open');
  }

  /** Timer job: the offer was not answered in time. A no-op if it was answered meanwhile. */
  async function expireOffer(offerId: string): Promise<void> {
    await returnOffer(offerId, 'expired');
  }

  /**
   * Transfer: the current counsellor's assignment ends (no wrap-up: the conversation goes on), the note
   * travels with the conversation, and it is offered to the chosen counsellor or put back in the queue
   * (with its original place) for another language or topic. The child is told.
   */
  async function transfer(fromStaffId: string, conversationId: string, to: TransferTarget, note: string, opts: { supervisor?: boolean } = {}): Promise<void> {
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
        ...(to.type === 'staff' && to.reserve
          ? { reservedForStaffId: to.staffId, reservedUntil: sql`now() + make_interval(secs => ${config.TRANSFER_RESERVE_MS / 1000})` }
          : { reservedForStaffId: null, reservedUntil: null }),
        ...(to.type === 'queue' ? { ...(to.language ? { language: to.language } : {}), ...(to.topic ? { topic: to.topic } : {}), overflow: false } : {}),
      });
      if (!moved) throw new AppError('invalid_state', 'Only an active conversation can be transferred');
      await closeAssignment(tx, conversationId, 'ended', 'transferred');
      if (to.type === 'queue') return { offer: null };
      if (to.reserve) {
        if (!(await takesChats(tx, to.staffId))) throw new AppError('not_found', 'No such counsellor');
        return { offer: null, reservedFor: to.staffId, reservedUntil: moved.reservedUntil };
      }
      const offer = await offerTo(tx, conversationId, to.staffId, config.OFFER_TIMEOUT_MS, note);
      if ('refused' in offer) {
        throw new AppError('conflict', offer.refused === 'at_capacity' ? 'That counsellor is at capacity' : 'That counsellor is not available');
      }
      return { offer, staffId: to.staffId };
    });
    await d.audit.record({ actorType: 'staff', actorId: fromStaffId, action: 'conversation.transfer', targetType: 'conversation', targetId: conversationId, meta: { to: to.type, ...(to.type === 'staff' ? { staffId: to.staffId, ...(to.reserve ? { reserved: true, reserveMs: config.TRANSFER_RESERVE_MS } : {}) } : {}) } });
    if ('reservedFor' in res) {
      // The durable path of the expiry: a kick at the limit (the sweep's pairExists covers a lost job).
      await schedule('timers', 'reserve-expiry', { conversationId }, { jobId: `reserve-expiry-${conversationId}-${res.reservedUntil?.getTime() ?? 0}`, delay: config.TRANSFER_RESERVE_MS + 50 });
    }
    if (previous) {
      realtime.agent.to(rooms.staff(previous)).emit('conversation:removed', { conversationId, reason: 'transferred' });
      await emitAgentState(previous);
    }
    await convs.postSystem(conversationId, 'transferred');
    const after = await convs.get(conversationId);
    if (res.offer && 'staffId' in res && res.staffId) await afterOffer(res.offer.offerId, after, res.staffId, res.offer.expiresAt);
    await convs.publish(after);
    await kick();
  }

  /** A supervisor offers a waiting conversation to a chosen counsellor now. */
  async function assignByHand(supervisorId: string, conversationId: string, staffId: string): Promise<void> {
    const offer = await db.transaction((tx) => offerTo(tx, conversationId, staffId, config.OFFER_TIMEOUT_MS, null));
    if ('refused' in offer) {
      throw new AppError(offer.refused === 'not_waiting' ? 'invalid_state' : 'conflict', offer.refused === 'not_waiting' ? 'The conversation is not waiting' : offer.refused === 'at_capacity' ? 'That counsellor is at capacity' : 'That counsellor is not available');
    }
    await d.audit.record({ actorType: 'staff', actorId: supervisorId, action: 'conversation.assign', targetType: 'conversation', targetId: conversationId, meta: { staffId } });
    await afterOffer(offer.offerId, await convs.get(conversationId), staffId, offer.expiresAt);
  }

  return {
    kick,
    dispatch,
    /** Wait until this instance's dispatch loop is idle (tests, shutdown). */
    settle: (): Promise<void> => (dispatching ? new Promise<void>((resolve) => idleWaiters.push(resolve)) : Promise.resolve()),
    returnOffer,
    requeue,
    accept,
    openOffers,
    decline,
    expireOffer,
    transfer,
    assignByHand,
  };
}
export type Offers = ReturnType<typeof createOffers>;
