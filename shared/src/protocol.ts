// The wire protocol between server, widget and console. Types only: no runtime code beyond constants.
// Documented event by event in docs/protocol.md. Dates travel as ISO-8601 strings.
import type {
  AgeGroup,
  AgentStatus,
  ConversationState,
  InsafeCategory,
  Language,
  Priority,
  StaffRole,
  Topic,
} from './domain.js';

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

// ---------- shared shapes ----------

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
  createdAt: string;
}

export interface Offer {
  offerId: string;
  conversation: StaffConversation;
  expiresAt: string;
}

export interface AgentState {
  staffId: string;
  status: AgentStatus;
  capacity: number;
  /** Offers plus active conversations. */
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
}

// ---------- /widget namespace ----------

/** socket.io `auth` of the widget: the visitor token after the first start; the host page origin. */
export interface WidgetHandshakeAuth {
  token?: string;
  hostOrigin: string;
}

export interface StartConversationPayload {
  language?: Language;
  ageGroup?: AgeGroup;
  topic?: Topic;
}
export interface StartConversationResult {
  /** Keep it (sessionStorage) to resume after a reload; forget it on quick exit. */
  token: string;
  conversation: VisitorConversation;
  /** False when no counsellor is online or it is out of hours: offer the alternatives. */
  serviceOpen: boolean;
}

export interface ResumePayload {
  /** Highest seq the client has; the server returns every message after it, in order. */
  afterSeq: number;
}
export interface ResumeResult {
  conversation: VisitorConversation | null;
  messages: ChatMessage[];
}

export interface SendMessagePayload {
  conversationId: string;
  /** Client-generated id (uuid). Sending again with the same id returns the same message. */
  clientMsgId: string;
  body: string;
}

export interface TypingPayload {
  conversationId: string;
  typing: boolean;
}

export interface ReadPayload {
  conversationId: string;
  seq: number;
}

export interface ConversationRef {
  conversationId: string;
}

export interface ServiceStatus {
  open: boolean;
  reason: 'open' | 'out_of_hours' | 'no_counsellor_online';
}

export interface WidgetClientToServerEvents {
  'conversation:start': (p: StartConversationPayload, ack: AckFn<StartConversationResult>) => void;
  'conversation:resume': (p: ResumePayload, ack: AckFn<ResumeResult>) => void;
  'message:send': (p: SendMessagePayload, ack: AckFn<ChatMessage>) => void;
  typing: (p: TypingPayload) => void;
  'message:read': (p: ReadPayload, ack?: AckFn<null>) => void;
  /** The child ends the chat (or leaves the queue: recorded as abandoned). */
  'conversation:end': (p: ConversationRef, ack: AckFn<VisitorConversation>) => void;
  /** Quick exit: end everything and invalidate the token. */
  'session:exit': (p: Record<string, never>, ack: AckFn<null>) => void;
  'service:status': (p: Record<string, never>, ack: AckFn<ServiceStatus>) => void;
}

export interface WidgetServerToClientEvents {
  'message:new': (m: ChatMessage) => void;
  'conversation:updated': (c: VisitorConversation) => void;
  typing: (p: { conversationId: string; typing: boolean }) => void;
  'message:read': (p: ReadPayload) => void;
  /** Sent when the server shuts down or the session was ended elsewhere. */
  'session:ended': (p: { reason: 'shutdown' | 'exit' | 'revoked' }) => void;
}

// ---------- /agent namespace (cookie session) ----------

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
}

export interface AgentHello {
  profile: StaffProfile;
  state: AgentState;
  /** Conversations assigned to this counsellor (active or in wrap-up) and open offers. */
  conversations: StaffConversation[];
  offers: Offer[];
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
}

export interface AgentServerToClientEvents {
  'agent:state': (s: AgentState) => void;
  'offer:new': (o: Offer) => void;
  'offer:revoked': (p: { offerId: string; reason: 'expired' | 'taken' | 'withdrawn' }) => void;
  'conversation:assigned': (c: StaffConversation) => void;
  'conversation:updated': (c: StaffConversation) => void;
  'conversation:removed': (p: { conversationId: string; reason: 'transferred' | 'released' | 'closed' }) => void;
  'message:new': (m: ChatMessage) => void;
  typing: (p: { conversationId: string; typing: boolean }) => void;
  'message:read': (p: ReadPayload) => void;
  /** Supervisors: something needs attention. */
  'alert:new': (a: SupervisorAlert) => void;
  'session:ended': (p: { reason: 'shutdown' | 'revoked' }) => void;
}

export interface SupervisorAlert {
  id: string;
  kind: 'risk' | 'help_requested' | 'missed_offers' | 'long_wait';
  conversationId?: string;
  staffId?: string;
  at: string;
}

// ---------- HTTP (JSON) ----------

export interface LoginRequest {
  email: string;
  password: string;
}
export interface LoginResponse {
  profile: StaffProfile;
  /** Send as the `x-csrf-token` header on every state-changing request. */
  csrfToken: string;
}

export interface CaseRecordInput {
  contactType: import('./domain.js').ContactType;
  ageGroup?: AgeGroup;
  gender?: import('./domain.js').Gender;
  categories: InsafeCategory[];
  platform?: import('./domain.js').Platform;
  riskLevel?: import('./domain.js').RiskLevel;
  summary: string;
  outcome?: import('./domain.js').Outcome;
}

export interface CaseRecord extends CaseRecordInput {
  id: string;
  conversationId: string | null;
  channel: import('./domain.js').Channel;
  staffId: string;
  chiCategories: import('./domain.js').ChiCategory[];
  createdAt: string;
  updatedAt: string;
}

/** POST /api/conversations/:id/close — ends the chat if needed, stores the case record, closes. */
export type CloseConversationRequest = CaseRecordInput;
export interface CloseConversationResponse {
  conversation: StaffConversation;
  caseRecord: CaseRecord;
}
