// The /widget namespace (anonymous visitors), the widget's public HTTP routes and left messages.
import type { AgeGroup, Language, Topic } from '../domain.js';
import type { AckFn, ChatMessage, VisitorConversation } from './common.js';

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
  /** `busy_leave_message`: a supervisor switched the service to "leave a message" because of load. */
  reason: 'open' | 'out_of_hours' | 'no_counsellor_online' | 'busy_leave_message';
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

/** GET /api/widget/config — the centre's public branding and contact alternatives. */
export interface WidgetConfig {
  centreName: string;
  primaryColor: string;
  phoneLine: string;
  email: string;
  hoursText: string;
  /** Neutral site the quick exit goes to. */
  exitUrl: string;
  languages: Language[];
  defaultLanguage: Language;
  /** Path of the hotline report form on the platform. */
  reportUrl: string;
}

/**
 * GET /api/widget/allowed — asked by the loader from the embedding page (the browser sets Origin): may
 * this site show the widget? Answered to any site (the allowed origins are public in the frame's CSP).
 */
export interface WidgetAllowed {
  allowed: boolean;
}

/** POST /api/widget/offline-messages — leave a message when nobody can chat. */
export interface OfflineMessageRequest {
  body: string;
  language?: Language;
  ageGroup?: AgeGroup;
  topic?: Topic;
}
export interface OfflineMessageCreated {
  /** Public reference (not secret) and the pick-up code (shown once, only its hash is stored). */
  reference: string;
  pickupCode: string;
}

/** POST /api/widget/offline-messages/status */
export interface OfflineMessageStatusRequest {
  reference: string;
  pickupCode: string;
}
export interface OfflineMessageStatus {
  /** What the child sees: 'new' until answered (a claim is staff business). */
  status: 'new' | 'answered';
  answer?: string;
  answeredAt?: string;
}

/**
 * new → claimed (one staff member, for OFFLINE_CLAIM_MS, or until released) → answered → picked_up
 * (the child read the answer with the code). An expired claim is shown and counted as new.
 */
export const OFFLINE_MESSAGE_STATES = ['new', 'claimed', 'answered', 'picked_up'] as const;
export type OfflineMessageState = (typeof OFFLINE_MESSAGE_STATES)[number];

/** GET /api/offline-messages (counsellor, supervisor): the inbox, oldest first, without what the child wrote. */
export interface StaffOfflineMessageSummary {
  id: string;
  reference: string;
  language: Language | null;
  ageGroup: AgeGroup | null;
  topic: Topic | null;
  state: OfflineMessageState;
  /** Set while claimed, and on a 'new' message whose claim lapsed (its holder may still answer it). */
  claimedBy: string | null;
  claimedByName: string | null;
  claimedAt: string | null;
  /** When the claim lapses (the message is then anyone's again). */
  claimExpiresAt: string | null;
  answeredBy: string | null;
  answeredByName: string | null;
  answeredAt: string | null;
  pickedUpAt: string | null;
  createdAt: string;
}
export interface OfflineMessageList {
  messages: StaffOfflineMessageSummary[];
  counts: OfflineInboxCounts;
}

/** GET /api/offline-messages/:id: the message and its answer; every such read is audited. */
export interface StaffOfflineMessage extends StaffOfflineMessageSummary {
  body: string;
  answer: string | null;
}

/** POST /api/offline-messages/:id/answer (only the one who claimed it) */
export interface AnswerOfflineMessageRequest {
  answer: string;
}

/** Messages waiting for an answer (new, or with a lapsed claim), counted without reading them. */
export interface OfflineInboxCounts {
  waiting: number;
  /** Waiting, by the child's language ('none': the child chose none). */
  waitingByLanguage: Partial<Record<Language | 'none', number>>;
  claimed: number;
  /** Creation time of the oldest waiting message. */
  oldestWaitingAt: string | null;
}

/** 'offline:changed' to counsellors and supervisors: the inbox changed; never what the child wrote. */
export interface OfflineMessageChanged {
  id: string;
  change: 'created' | 'claimed' | 'released' | 'claim_expired' | 'answered' | 'picked_up';
  language: Language | null;
  counts: OfflineInboxCounts;
  at: string;
}
