// Routing: who is offered which conversation, and every transition of offers and counsellors' state.
// Each transition is a compare-and-set on the current state in Postgres, so late or repeated events
// (a timeout after an accept, a BullMQ redelivery, a second click) change nothing. The rooms:
//   core.ts        a counsellor's routing state, alerts, change listeners, job scheduling, capacity
//   offers.ts      the dispatch loop and every offer/assignment transition (accept, decline, transfer...)
//   presence.ts    counsellors' status, capacity and connection; waiting children's connection
//   moves.ts       entering the queue, ending, priority, overflow, help requests
//   queue-info.ts  places in the queue, estimated waits, online counsellors
//   sweep.ts       the reconciliation sweep under every timer
//   risk-check.ts  risk words raise the priority and alert supervisors
// Routing depends on conversations (one way): it subscribes to the conversation service's events.
import { createRoutingCore, type RoutingDeps } from './core.js';
import { createOffers } from './offers.js';
import { createPresence } from './presence.js';
import { createConversationMoves } from './moves.js';
import { createPositionBroadcast, type QueueInformation } from './queue-info.js';
import { createSweep } from './sweep.js';
import { createRiskCheck } from './risk-check.js';

export type { RoutingDeps } from './core.js';

export function createRoutingService(d: RoutingDeps, queue: QueueInformation) {
  const core = createRoutingCore(d);
  const offers = createOffers(d, core);
  const moves = createConversationMoves(d, core, offers);
  const presence = createPresence(d, core, offers, moves.endConversation);
  const checkRisk = createRiskCheck(d, core, offers.kick);
  const sweep = createSweep(d, offers, presence);

  d.conversations.events.on('enqueued', (conversationId) => moves.onEnqueued(conversationId));
  d.conversations.events.on('visitor-message', (c, body) => checkRisk(c, body));

  return {
    kick: offers.kick,
    dispatch: offers.dispatch,
    settle: offers.settle,
    onChange: core.onChange,
    agentState: core.agentState,
    emitAgentState: core.emitAgentState,
    ensureAgent: core.ensureAgent,
    isWaiting: queue.isWaiting,
    onlineCounsellors: queue.onlineCounsellors,
    queueInfo: queue.queueInfo,
    broadcastPositions: createPositionBroadcast(d, queue),
    accept: offers.accept,
    openOffers: offers.openOffers,
    decline: offers.decline,
    expireOffer: offers.expireOffer,
    transfer: offers.transfer,
    assignByHand: offers.assignByHand,
    setStatus: presence.setStatus,
    setCapacity: presence.setCapacity,
    agentConnected: presence.agentConnected,
    agentDisconnected: presence.agentDisconnected,
    checkAgentGrace: presence.checkAgentGrace,
    visitorConnected: presence.visitorConnected,
    visitorDisconnected: presence.visitorDisconnected,
    checkVisitorGrace: presence.checkVisitorGrace,
    onEnqueued: moves.onEnqueued,
    endConversation: moves.endConversation,
    setPriority: moves.setPriority,
    overflow: moves.overflow,
    requestHelp: moves.requestHelp,
    checkRisk,
    sweep,
  };
}
export type RoutingService = ReturnType<typeof createRoutingService>;
