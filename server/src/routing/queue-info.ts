// Queue information: how many counsellors are online, each waiting child's place and estimated wait,
// and the periodic broadcast of positions to the waiting children.
import { sql } from 'drizzle-orm';
import { execRows, type Db } from '../db/client.js';
import type { Clock } from '../infra/clock.js';
import type { QueueState } from '../conversations/queue-state.js';
import { rooms } from '../realtime/server.js';
import type { ConversationRow, QueueInfo } from '../conversations/service.js';
import { agentPresent } from './dispatch.js';
import type { AuthService } from '../auth/service.js';
import type { RoutingDeps } from './core.js';

export interface QueueInformationDeps {
  db: Db;
  clock: Clock;
  /** The conversations' queue columns (conversations/queue-state.ts). */
  queueState: QueueState;
  staff: Pick<AuthService, 'chatCapacity'>;
}

/**
 * Built before the conversation service, which shows its places to the children (so no cycle: routing
 * depends on conversations, conversations is given this).
 */
export function createQueueInformation(d: QueueInformationDeps) {
  const { db, clock, queueState } = d;

  /** How many counsellors are online, and their capacity together. */
  async function online(): Promise<{ counsellors: number; capacity: number }> {
    // Available and connected here; enabled counsellors and supervisors with their capacity, auth's.
    const rows = await execRows<{ staff_id: string }>(db, sql`select staff_id from agent_states a where ${agentPresent}`);
    return d.staff.chatCapacity(rows.map((r) => r.staff_id));
  }

  // The inputs of the wait estimate change slowly; computing them once a second keeps position
  // updates cheap however long the queue is.
  let etaInputs: { at: number; avgHandle: number; capacity: number } | null = null;
  async function etaBasis(): Promise<{ avgHandle: number; capacity: number }> {
    if (etaInputs && clock.now() - etaInputs.at < 1000) return etaInputs;
    const avgHandle = (await queueState.recentAverageHandleSeconds()) ?? 300;
    etaInputs = { at: clock.now(), avgHandle, capacity: (await online()).capacity };
    return etaInputs;
  }

  function estimate(position: number, avgHandle: number, capacity: number): number | null {
    if (capacity <= 0) return null;
    return Math.round((Math.ceil(position / capacity) * avgHandle) / 2 + 5);
  }

  async function queueInfo(c: ConversationRow): Promise<QueueInfo> {
    const position = await queueState.positionOf(c);
    const basis = await etaBasis();
    return { position, estimatedWaitSeconds: estimate(position, basis.avgHandle, basis.capacity) };
  }

  return {
    queueInfo,
    estimate,
    etaBasis,
    async onlineCounsellors(): Promise<number> {
      return (await online()).counsellors;
    },
    /** Whether a conversation is still waiting for an offer (a missing one is not). */
    async isWaiting(conversationId: string): Promise<boolean> {
      return (await queueState.stateOf(conversationId)) === 'waiting';
    },
  };
}
export type QueueInformation = ReturnType<typeof createQueueInformation>;

/** Every waiting child is sent her place and estimated wait (the `positions` job, at most every 250 ms). */
export function createPositionBroadcast(d: Pick<RoutingDeps, 'realtime' | 'conversations'>, info: QueueInformation) {
  return async function broadcastPositions(): Promise<void> {
    const queued = await d.conversations.queue.positions();
    if (!queued.length) return;
    const { avgHandle, capacity } = await info.etaBasis();
    for (const { conversation: c, position } of queued) {
      if (!c.visitorId) continue;
      const view = await d.conversations.visitorView(c, { position, estimatedWaitSeconds: info.estimate(position, avgHandle, capacity) });
      // The row was read before these awaits: a counsellor may have taken the chat since, and her view
      // already sent. A stale "waiting" view sent after it would put the child back on the waiting
      // screen (seen in CI: the counsellor's typing never showed). Only a view still true goes out.
      const now = await d.conversations.queue.stateOf(c.id);
      if (now !== c.state) continue;
      d.realtime.widget.to(rooms.visitor(c.visitorId)).emit('conversation:updated', view);
    }
  };
}
