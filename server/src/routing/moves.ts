// A conversation's moves that routing decides: entering the queue, ending (wrap-up or abandoned),
// priority, overflow and a counsellor's call for help. Each is a compare-and-set on the state.
import type { Priority } from '@helpline/shared';
import { AppError } from '../http/errors.js';
import { rooms } from '../realtime/server.js';
import type { ConversationRow } from '../conversations/service.js';
import { agentStates } from './tables.js';
import { eq } from 'drizzle-orm';
import type { RoutingCore, RoutingDeps } from './core.js';
import type { Offers } from './offers.js';

export function createConversationMoves(d: RoutingDeps, core: RoutingCore, offers: Offers) {
  const { db, config, jobs, realtime, conversations: convs } = d;
  const { schedule, closeAssignment, emitAgentState, alert } = core;
  const { kick } = offers;

  async function onEnqueued(conversationId: string): Promise<void> {
    // The fast path first: this instance's dispatch loop starts now. Then the durable path: whichever
    // instance takes the `route` job routes the conversation even if this instance dies right now.
    await kick();
    await Promise.all([
      schedule('routing', 'route', { conversationId }, { jobId: `route-${conversationId}` }),
      config.OVERFLOW_AFTER_MS > 0
        ? schedule('timers', 'overflow', { conversationId }, { jobId: `overflow-${conversationId}`, delay: config.OVERFLOW_AFTER_MS })
        : Promise.resolve(),
    ]);
  }

  /**
   * End the chat. With a counsellor it goes to wrap-up (case record pending); without one, the visitor
   * left the queue: abandoned.
   */
  async function endConversation(conversationId: string, by: 'visitor' | 'counsellor' | 'system'): Promise<ConversationRow> {
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
  }

  async function setPriority(conversationId: string, priority: Priority, by: { type: 'staff'; staffId: string } | { type: 'system'; reason: string }): Promise<ConversationRow> {
    const c = await convs.queue.setPriority(conversationId, priority);
    if (!c) throw new AppError('invalid_state', 'Only open conversations can change priority');
    await d.audit.record({ actorType: by.type, actorId: by.type === 'staff' ? by.staffId : null, action: 'conversation.priority', targetType: 'conversation', targetId: conversationId, meta: { priority, ...(by.type === 'system' ? { reason: by.reason } : {}) } });
    await convs.publish(c);
    await kick();
    return c;
  }

  async function overflow(conversationId: string): Promise<void> {
    if (await convs.queue.overflow(conversationId)) await kick();
  }

  /**
   * The counsellor asks for a supervisor: flag the conversation and alert supervisors live. One
   * compare-and-set (still hers, still live), so a request racing a transfer or an end is refused.
   */
  async function requestHelp(staffId: string, conversationId: string): Promise<ConversationRow> {
    const c = await convs.queue.requestHelp(conversationId, staffId);
    if (!c) {
      const now = await convs.get(conversationId);
      if (now.assignedStaffId !== staffId) throw new AppError('forbidden', 'This conversation is not assigned to you');
      throw new AppError('invalid_state', `The conversation is ${now.state}`);
    }
    await d.audit.record({ actorType: 'staff', actorId: staffId, action: 'conversation.help_requested', targetType: 'conversation', targetId: conversationId });
    alert({ kind: 'help_requested', conversationId, staffId });
    await convs.publish(c);
    return c;
  }

  return { onEnqueued, endConversation, setPriority, overflow, requestHelp };
}
