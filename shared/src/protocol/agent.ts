// The /agent namespace (staff with a cookie session): its complete event maps, for every feature.
import type { AgentStatus, DeliveryFailureReason, DeliveryState, Language, Priority, Topic } from '../domain.js';
import type { AckFn, AgentState, ChatMessage, Offer, StaffConversation, StaffProfile } from './common.js';
import type { ConversationRef, OfflineMessageChanged, ReadPayload, SendMessagePayload, TypingPayload } from './widget.js';
import type { AddNotePayload, Note } from './console.js';
import type { BoardSnapshot, OverflowPayload, SuperviseAgentPayload, WatchResult } from './supervision.js';

export interface SetStatusPayload {
  status: Exclude<AgentStatus, 'offline'>;
}

export interface OfferRef {
  offerId: string;
}

export interface HistoryPayload {
  conversationId: string;
  afterSeq: number;
}
export interface HistoryResult {
  conversation: StaffConversation;
  messages: ChatMessage[];
  /**
   * On a channel other than web chat: the delivery state of the conversation's staff messages (all of
   * them, whatever `afterSeq`: older ones may have changed meanwhile), as 'message:delivery' tells it.
   */
  deliveries?: MessageDelivery[];
}

export interface AgentHello {
  profile: StaffProfile;
  state: AgentState;
  /** Conversations assigned to this counsellor (active or in wrap-up) and open offers. */
  conversations: StaffConversation[];
  offers: Offer[];
}

/**
 * `reserve`: "Queue for <name>": back to the queue, offered to that colleague alone as soon as she is
 * available with room, for TRANSFER_RESERVE_MS; then to anyone.
 */
export type TransferTarget = { type: 'staff'; staffId: string; reserve?: boolean } | { type: 'queue'; language?: Language; topic?: Topic };
export interface TransferPayload {
  conversationId: string;
  to: TransferTarget;
  note: string;
}

export interface SupervisorAlert {
  id: string;
  kind: 'risk' | 'help_requested' | 'missed_offers' | 'long_wait';
  conversationId?: string;
  staffId?: string;
  at: string;
}

export interface AgentClientToServerEvents {
  'agent:hello': (p: Record<string, never>, ack: AckFn<AgentHello>) => void;
  'agent:status': (p: SetStatusPayload, ack: AckFn<AgentState>) => void;
  'offer:accept': (p: OfferRef, ack: AckFn<HistoryResult>) => void;
  'offer:decline': (p: OfferRef, ack: AckFn<null>) => void;
  'conversation:history': (p: HistoryPayload, ack: AckFn<HistoryResult>) => void;
  'message:send': (p: SendMessagePayload, ack: AckFn<ChatMessage>) => void;
  typing: (p: TypingPayload) => void;
  'message:read': (p: ReadPayload, ack?: AckFn<null>) => void;
  /** End the chat; the conversation moves to wrap-up until the case record is submitted. */
  'conversation:end': (p: ConversationRef, ack: AckFn<StaffConversation>) => void;
  /** Hand the conversation to another counsellor or back to a queue; the note travels with it. */
  'conversation:transfer': (p: TransferPayload, ack: AckFn<null>) => void;
  /** Ask a supervisor for help: the conversation is flagged and supervisors are alerted. */
  'conversation:help': (p: ConversationRef, ack: AckFn<StaffConversation>) => void;
  /** Counsellor (own conversation) or supervisor: change the priority. */
  'conversation:priority': (p: { conversationId: string; priority: Priority }, ack: AckFn<StaffConversation>) => void;
  /** Supervisor: offer a waiting conversation to a chosen counsellor now (bypasses skills, not capacity). */
  'conversation:assign': (p: { conversationId: string; staffId: string }, ack: AckFn<null>) => void;
  // notes
  /** Assigned counsellor or a supervisor: add an internal note; `note:new` goes to them and watchers. */
  'note:add': (p: AddNotePayload, ack: AckFn<Note>) => void;
  // supervision (supervisors and admins)
  /** Supervisors: the board now (initial load); later ones arrive as 'board:update'. */
  'board:snapshot': (p: Record<string, never>, ack: AckFn<BoardSnapshot>) => void;
  /** Open a conversation read-only (nobody is told; the view is audited). */
  'supervise:watch': (p: ConversationRef, ack: AckFn<WatchResult>) => void;
  'supervise:unwatch': (p: ConversationRef, ack: AckFn<null>) => void;
  /** A note only the counsellor (and watchers) see. */
  'supervise:whisper': (p: { conversationId: string; body: string }, ack: AckFn<Note>) => void;
  /** Join the conversation: the child is told a supervisor joined; then 'supervise:send' writes to it. */
  'supervise:join': (p: ConversationRef, ack: AckFn<ChatMessage>) => void;
  'supervise:send': (p: SendMessagePayload, ack: AckFn<ChatMessage>) => void;
  /** Take the conversation over (it becomes the supervisor's own). */
  'supervise:takeover': (p: ConversationRef, ack: AckFn<null>) => void;
  /** Move the conversation to another counsellor. */
  'supervise:reassign': (p: { conversationId: string; staffId: string; note?: string }, ack: AckFn<null>) => void;
  /** Change a counsellor's status and/or capacity. */
  'supervise:agent': (p: SuperviseAgentPayload, ack: AckFn<AgentState>) => void;
  /** Let any counsellor take the waiting conversations of a language/topic (skills no longer restrict). */
  'supervise:overflow': (p: OverflowPayload, ack: AckFn<{ count: number }>) => void;
}

export interface MessageDelivery {
  messageId: string;
  conversationId: string;
  state: DeliveryState;
  attempts: number;
  /** The last attempt's error (failed, or queued again after one). */
  error: string | null;
  /** Failed for a reason the channel gave (translated by the console); absent or null otherwise. */
  reason?: DeliveryFailureReason | null;
}

export interface AgentServerToClientEvents {
  'agent:state': (s: AgentState) => void;
  'offer:new': (o: Offer) => void;
  /** The offer is over: not answered in time, taken, withdrawn (the counsellor went away), or declined (on another of her sockets). */
  'offer:revoked': (p: { offerId: string; reason: 'expired' | 'taken' | 'withdrawn' | 'declined' }) => void;
  'conversation:assigned': (c: StaffConversation) => void;
  'conversation:updated': (c: StaffConversation) => void;
  'conversation:removed': (p: { conversationId: string; reason: 'transferred' | 'released' | 'closed' }) => void;
  'message:new': (m: ChatMessage) => void;
  /** A staff message's delivery on a channel other than web chat changed state (queued, sent, delivered, failed). */
  'message:delivery': (d: MessageDelivery) => void;
  typing: (p: { conversationId: string; typing: boolean }) => void;
  'message:read': (p: ReadPayload) => void;
  /** Supervisors: something needs attention. */
  'alert:new': (a: SupervisorAlert) => void;
  /** The session ended: the server is shutting down (reconnect), or it expired or was revoked (log in again). */
  'session:ended': (p: { reason: 'shutdown' | 'expired' | 'revoked' }) => void;
  // left messages, notes, the board
  'offline:changed': (e: OfflineMessageChanged) => void;
  'note:new': (n: Note) => void;
  'board:update': (s: BoardSnapshot) => void;
}
