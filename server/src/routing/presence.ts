// Presence: counsellors' status, capacity, connection and disconnect grace, and the children's
// connection while they wait (a child gone longer than the grace has abandoned the contact).
import { and, eq, isNotNull, sql } from 'drizzle-orm';
import type { AgentState, AgentStatus } from '@helpline/shared';
import { rooms } from '../realtime/server.js';
import type { ConversationRow } from '../conversations/service.js';
import { agentStates, assignments } from './tables.js';
import { dbNow, noConnectionSince } from './stamps.js';
import type { RoutingCore, RoutingDeps } from './core.js';
import type { Offers } from './offers.js';

export function createPresence(d: RoutingDeps, core: RoutingCore, offers: Offers, endConversation: (id: string, by: 'system') => Promise<ConversationRow>) {
  const { db, config, realtime, conversations: convs, clock } = d;
  const { ensureAgent, emitAgentState, schedule } = core;
  const { kick, returnOffer, requeue } = offers;

  /** `by`: who set it when not the counsellor themselves (staffId null: the system, e.g. the CLI disabling an account). */
  async function setStatus(staffId: string, status: AgentStatus, by?: { staffId: string | null }): Promise<AgentState> {
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
  }

  async function setCapacity(staffId: string, capacity: number, by: string | null): Promise<AgentState> {
    await d.staff.setCapacity(staffId, capacity);
    await d.audit.record({ actorType: by ? 'staff' : 'system', actorId: by, action: 'agent.capacity', targetType: 'staff', targetId: staffId, meta: { capacity } });
    const s = await emitAgentState(staffId);
    await kick();
    return s;
  }

  /** Called after the socket joined the staff room, so a look at who is online begun later sees it. */
  async function agentConnected(staffId: string): Promise<void> {
    await ensureAgent(staffId);
    await db.update(agentStates).set({ disconnectedAt: null, connectedAt: sql`clock_timestamp()` }).where(eq(agentStates.staffId, staffId));
    await kick();
  }

  async function agentDisconnected(staffId: string): Promise<void> {
    const lookedAt = await dbNow(db);
    const still = await realtime.agent.in(rooms.staff(staffId)).fetchSockets().catch(() => []);
    if (still.length > 0) return;
    // She was connected until now: the grace counts from this disconnection, whatever older mark a
    // sweep or another instance left (a stale one would release her chats at once). Not if she
    // connected again (to another instance) after the look began.
    const marked = await db
      .update(agentStates)
      .set({ disconnectedAt: new Date() })
      .where(and(eq(agentStates.staffId, staffId), noConnectionSince(lookedAt)))
      .returning({ staffId: agentStates.staffId });
    // (A reconnection the look missed stamped connected_at after lookedAt, so no mark was written; one
    // counted after the mark clears it. No second look is needed.)
    if (!marked.length) return;
    await schedule('timers', 'agent-grace', { staffId }, { jobId: `agent-grace-${staffId}-${clock.now()}`, delay: config.DISCONNECT_GRACE_MS + 50 });
  }

  /** After the grace period: a counsellor still gone loses their offers and conversations. */
  async function checkAgentGrace(staffId: string): Promise<void> {
    const [st] = await db.select().from(agentStates).where(eq(agentStates.staffId, staffId));
    if (!st?.disconnectedAt || clock.now() - st.disconnectedAt.getTime() < config.DISCONNECT_GRACE_MS) return;
    const lookedAt = await dbNow(db);
    const still = await realtime.agent.in(rooms.staff(staffId)).fetchSockets().catch(() => null);
    if (still === null) return; // cannot tell now; the sweep tries again
    if (still.length > 0) {
      await db.update(agentStates).set({ disconnectedAt: null }).where(eq(agentStates.staffId, staffId));
      return;
    }
    // The release is claimed in one statement: still marked, and no connection since the look began
    // (a counsellor back on another instance while the look was under way keeps her chats).
    const claimed = await db
      .update(agentStates)
      .set({ status: 'offline', statusChangedAt: new Date() })
      .where(and(eq(agentStates.staffId, staffId), isNotNull(agentStates.disconnectedAt), noConnectionSince(lookedAt)))
      .returning({ staffId: agentStates.staffId });
    if (!claimed.length) return;
    const offers = await db.select({ id: assignments.id }).from(assignments).where(and(eq(assignments.staffId, staffId), eq(assignments.status, 'offered')));
    for (const o of offers) await returnOffer(o.id, 'withdrawn');
    const active = await convs.queue.activeOf(staffId);
    for (const id of active) await requeue(id, staffId, 'counsellor_disconnected');
    await d.audit.record({ actorType: 'system', action: 'agent.released_after_disconnect', targetType: 'staff', targetId: staffId, meta: { conversations: active.length } });
    await emitAgentState(staffId);
    await kick();
  }

  async function visitorConnected(visitorId: string): Promise<void> {
    await convs.queue.visitorConnected(visitorId);
  }

  async function visitorDisconnected(visitorId: string): Promise<void> {
    const still = await realtime.widget.in(rooms.visitor(visitorId)).fetchSockets().catch(() => []);
    if (still.length > 0) return;
    for (const id of await convs.queue.visitorDisconnected([visitorId])) {
      await schedule('timers', 'visitor-grace', { conversationId: id }, { jobId: `visitor-grace-${id}-${clock.now()}`, delay: config.VISITOR_GRACE_MS + 50 });
    }
  }

  /** A waiting child gone for longer than the grace: the contact is abandoned. */
  async function checkVisitorGrace(conversationId: string): Promise<void> {
    const c = await convs.get(conversationId).catch(() => null);
    if (!c || !c.visitorDisconnectedAt || !['waiting', 'offered'].includes(c.state)) return;
    if (clock.now() - c.visitorDisconnectedAt.getTime() < config.VISITOR_GRACE_MS) return;
    const still = c.visitorId ? await realtime.widget.in(rooms.visitor(c.visitorId)).fetchSockets().catch(() => null) : [];
    if (still === null) return;
    if (still.length) {
      await convs.queue.clearVisitorDisconnected(c.id);
      return;
    }
    await endConversation(c.id, 'system');
  }

  return { setStatus, setCapacity, agentConnected, agentDisconnected, checkAgentGrace, visitorConnected, visitorDisconnected, checkVisitorGrace };
}
export type Presence = ReturnType<typeof createPresence>;
