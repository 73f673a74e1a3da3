// The safety net under every timer: derives from Postgres what BullMQ timers would have done (they
// may be lost with Redis), and notices counsellors and children whose instance died without a
// disconnect event.
import { and, eq, lt, sql } from 'drizzle-orm';
import { rooms } from '../realtime/server.js';
import { agentStates, assignments } from './tables.js';
import { pairExists } from './dispatch.js';
import { dbNow, noConnectionSince } from './stamps.js';
import type { RoutingDeps } from './core.js';
import type { Offers } from './offers.js';
import type { Presence } from './presence.js';

export function createSweep(d: RoutingDeps, offers: Offers, presence: Presence) {
  const { db, config, realtime, conversations: convs, clock } = d;
  const { kick, expireOffer } = offers;
  const { checkAgentGrace, checkVisitorGrace } = presence;

  /**
   * The safety net under every timer: derives from Postgres what BullMQ timers would have done (they
   * may be lost with Redis), and notices counsellors whose instance died without a disconnect event.
   */
  async function sweep(): Promise<void> {
    // Offers expire by the database's clock, which set their expires_at (an instance whose clock ran
    // ahead of it took offers back early).
    const overdue = await db
      .select({ id: assignments.id })
      .from(assignments)
      .where(and(eq(assignments.status, 'offered'), lt(assignments.expiresAt, sql`now() - interval '1 second'`)));
    for (const o of overdue) await expireOffer(o.id);

    const lookedAt = await dbNow(db);
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
          // Not if she connected (to any instance) after the look began: the snapshot missed her.
          await db
            .update(agentStates)
            .set({ disconnectedAt: new Date() })
            .where(and(eq(agentStates.staffId, p.staffId), sql`${agentStates.disconnectedAt} is null`, noConnectionSince(lookedAt)));
        } else if (clock.now() - p.disconnectedAt.getTime() >= config.DISCONNECT_GRACE_MS) {
          await checkAgentGrace(p.staffId);
        }
      }
    }

    // Waiting children whose instance died sent no disconnect: notice them here.
    const waiting = await convs.queue.waitingVisitors(2000);
    if (waiting.length) {
      const sockets = await realtime.widget
        .in(waiting.map((v) => rooms.visitor(v)))
        .fetchSockets()
        .catch(() => null);
      if (sockets) {
        const here = new Set(sockets.map((s) => s.data.visitorId));
        await convs.queue.visitorDisconnected(waiting.filter((v) => !here.has(v)));
      }
    }

    for (const id of await convs.queue.visitorGoneSince(new Date(clock.now() - config.VISITOR_GRACE_MS))) await checkVisitorGrace(id);

    if (config.OVERFLOW_AFTER_MS > 0) await convs.queue.overflowWaitingSince(new Date(clock.now() - config.OVERFLOW_AFTER_MS));
    if (await pairExists(db, config.DECLINE_COOLDOWN_MS)) await kick();
  }

  return sweep;
}
