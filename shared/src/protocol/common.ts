// Errors, acknowledgements, the typed-event helpers and the shapes every namespace shares.
import type { AgeGroup, AgentStatus, ConversationChannel, ConversationState, Language, Priority, StaffRole, Topic } from '../domain.js';

export const NAMESPACES = { widget: '/widget', agent: '/agent' } as const;

/** Error codes carried by failed acknowledgements and HTTP error bodies. */
export const ERROR_CODES = [
  'invalid_payload', // the payload does not match the event's schema
  'unauthorized', // no valid session / visitor token
  'forbidden', // authenticated, but this role or relation may not do this
  'not_found',
  'invalid_state', // the conversation/offer is not in a state that allows this (late or repeated event)
  'conflict',
  'too_large',
  'rate_limited',
  'unavailable', // a dependency (Postgres, Redis) is down: retry later, nothing was stored
  'origin_not_allowed',
  'bad_signature', // a signed request (API inbox) whose signature does not match its inbox's secret
  'stale_timestamp', // a signed request whose timestamp is missing or more than 5 minutes off (a replay)
  'inbox_disabled', // the channel inbox exists but an admin turned it off
  'not_claimed', // a hotline report held by nobody or by someone else: claim it first
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
  /** True when the same request may succeed if sent again later (nothing was stored). */
  retryable?: boolean;
  /** For invalid_payload: which fields failed. */
  fields?: { path: string; message: string }[];
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ApiError };
export type AckFn<T> = (response: Ack<T>) => void;

// The parts of one event of an event map, for the typed helpers on both sides (the server's
// `socketEvents`, the clients' `emitAck`).
/** The arguments a client sends with event E of the event map M. */
export type EventArgs<M, E extends keyof M> = M[E] extends (...args: infer A) => void ? A : never;
/** The payload (first argument) of event E. */
export type PayloadOf<M, E extends keyof M> = EventArgs<M, E>[0];
/** What the acknowledgement of event E carries; void for an event sent without one (typing). */
export type AckDataOf<M, E extends keyof M> =
  EventArgs<M, E> extends [unknown] ? void : EventArgs<M, E> extends [unknown, AckFn<infer T>?] ? T : never;
/** The events of M that are acknowledged. */
export type AckedEvents<M> = { [E in keyof M]: EventArgs<M, E> extends [unknown] ? never : E }[keyof M];

export type MessageSender = 'visitor' | 'counsellor' | 'system';

/** System message codes: the UIs translate them; `params` fill the text. */
export type SystemEvent =
  | 'counsellor_joined'
  | 'counsellor_changed'
  | 'counsellor_left'
  | 'transferred'
  | 'supervisor_joined'
  | 'ended_by_visitor'
  | 'ended_by_counsellor'
  | 'ended_by_system';

export interface ChatMessage {
  id: string;
  conversationId: string;
  /** Gapless per conversation, starting at 1. */
  seq: number;
  clientMsgId: string;
  sender: MessageSender;
  /** A counsellor's display name (a pseudonym the centre chooses); never the visitor's. */
  senderName?: string;
  body: string;
  system?: { event: SystemEvent; params?: Record<string, string> };
  createdAt: string;
}

/** What the child's widget sees of its conversation. */
export interface VisitorConversation {
  id: string;
  state: ConversationState;
  language: Language | null;
  topic: Topic | null;
  /** 1-based place in the queue while waiting; null otherwise. */
  queuePosition: number | null;
  estimatedWaitSeconds: number | null;
  counsellorName: string | null;
  lastSeq: number;
  /** Highest seq the counsellor has read. */
  readSeq: number;
  createdAt: string;
}

/** What staff see of a conversation. */
export interface StaffConversation {
  id: string;
  /** The channel it came by: `chat` is the web widget (docs/channels.md). */
  channel: ConversationChannel;
  state: ConversationState;
  priority: Priority;
  language: Language | null;
  topic: Topic | null;
  ageGroup: AgeGroup | null;
  assignedStaffId: string | null;
  assignedStaffName: string | null;
  enqueuedAt: string;
  acceptedAt: string | null;
  endedAt: string | null;
  lastSeq: number;
  /** Highest seq the visitor has read. */
  visitorReadSeq: number;
  riskFlagged: boolean;
  helpRequested: boolean;
  /** The note of the last transfer, and who wrote it. */
  transfer: { fromStaffName: string | null; note: string } | null;
  createdAt: string;
}

export interface Offer {
  offerId: string;
  conversation: StaffConversation;
  expiresAt: string;
  /** Set when the conversation was transferred: the note that travels with it. */
  transfer?: { fromStaffName: string | null; note: string };
}

export interface AgentState {
  staffId: string;
  status: AgentStatus;
  capacity: number;
  /**
   * Slots used by offers plus active conversations, by their channels' weights: a chat 1, an e-mail
   * 0.25 (so 1.5 of capacity 3); a phone call takes the whole capacity.
   */
  load: number;
  wrapupUntil: string | null;
}

export interface StaffProfile {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  languages: Language[];
  topics: Topic[];
  capacity: number;
  /** Console language chosen by this person; null until chosen (the centre's default applies). */
  language: Language | null;
}
