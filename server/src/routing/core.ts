// Routing's shared helpers: a counsellor's routing state and its fan-out, supervisor alerts, change
// listeners (the board), job scheduling that never throws, and the capacity bookkeeping every
// transition uses. The parts of routing (offers, presence, queue information, the sweep, risk) are
// built on it in service.ts.
import { and, eq, inArray, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { JobsOptions } from 'bullmq';
import type { AgentState, Offer, SupervisorAlert } from '@helpline/shared';
import type { Config } from '../config.js';
import type { Db, RawQuery, Tx } from '../db/client.js';
import { AppError, loggableError } from '../http/errors.js';
import type { Jobs } from '../infra/jobs.js';
import type { Clock } from '../infra/clock.js';
import type { Realtime } from '../realtime/server.js';
import { rooms } from '../realtime/server.js';
import type { AuthService } from '../auth/service.js';
import type { ConversationRow, ConversationService } from '../conversations/service.js';
import type { AuditService } from '../audit/service.js';
import type { SettingsService } from '../settings/service.js';
import { agentStates, assignments } from './tables.js';

export type AssignmentRow = typeof assignments.$inferSelect;

/** `agent_states.load` (hundredths of a slot) as the protocol shows it: slots used, e.g. 1.5. */
export const slots = (hundredths: number): number => hundredths / 100;

export interface RoutingDeps {
  db: Db;
  /** The dispatch loop's own connection for the prepared offer statement. */
  dispatchQuery: RawQuery;
  config: Config;
  jobs: Jobs;
  realtime: Realtime;
  conversations: ConversationService;
  /** Counsellors' names and capacity are the staff accounts' (auth's). */
  staff: Pick<AuthService, 'capacityOf' | 'setCapacity' | 'staffName'>;
  audit: AuditService;
  settings: SettingsService;
  log: FastifyBaseLogger;
  clock: Clock;
}

export function createRoutingCore(d: RoutingDeps) {
  const { db, jobs, realtime, log, clock } = d;

  async function ensureAgent(staffId: string): Promise<void> {
    await db.insert(agentStates).values({ staffId }).onConflictDoNothing();
  }

  /** A counsellor's routing state; one without a row yet (never connected) is offline and idle. */
  async function agentState(staffId: string): Promise<AgentState> {
    const capacity = await d.staff.capacityOf(staffId);
    if (capacity === null) throw new AppError('not_found', 'No such counsellor');
    const [a] = await db.select().from(agentStates).where(eq(agentStates.staffId, staffId));
    return {
      staffId,
      status: a?.status ?? 'offline',
      capacity,
      load: slots(a?.load ?? 0),
      wrapupUntil: a?.wrapupUntil && a.wrapupUntil.getTime() > Date.now() ? a.wrapupUntil.toISOString() : null,
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

  const changeListeners: (() => Promise<void>)[] = [];

  /** Something in the queue or a counsellor's state changed (the supervisors' board listens). */
  async function changed(): Promise<void> {
    for (const l of changeListeners) await l().catch(() => {});
  }

  /**
   * Queue positions are recomputed at most every 250 ms, by whichever instance gets the job: one jobId
   * per bucket, run at the bucket's end, so it sees every change made in the bucket. This instance asks
   * once per bucket: later kicks in the same bucket need no Redis call.
   */
  let positionsBucket = -1;
  async function schedulePositions(): Promise<void> {
    const now = clock.now();
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
    const conversation = await d.conversations.staffView(conv);
    return { offerId, conversation, expiresAt: expiresAt.toISOString(), ...(conversation.transfer ? { transfer: conversation.transfer } : {}) };
  }

  /**
   * Give back what an assignment reserved (its stored weight, hundredths of a slot); the counsellor
   * may now take another conversation.
   */
  async function releaseLoad(tx: Tx, a: Pick<AssignmentRow, 'staffId' | 'weight'>): Promise<void> {
    // Free again (load back to 0): the board's time in state starts anew, as on a status change.
    await tx.execute(sql`update agent_states set load = greatest(load - ${a.weight}, 0), idle_since = now(),
      status_changed_at = case when load > 0 and load - ${a.weight} <= 0 then now() else status_changed_at end
      where staff_id = ${a.staffId}`);
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
    if (a) await releaseLoad(tx, a);
    return a ?? null;
  }

  return {
    ensureAgent,
    agentState,
    emitAgentState,
    alert,
    changed,
    onChange(listener: () => Promise<void>): void {
      changeListeners.push(listener);
    },
    schedule,
    schedulePositions,
    offerPayload,
    releaseLoad,
    closeAssignment,
  };
}
export type RoutingCore = ReturnType<typeof createRoutingCore>;
