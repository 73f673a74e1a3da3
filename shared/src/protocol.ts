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
  /** Console language chosen by this person; null until chosen (the centre's default applies). */
  language: Language | null;
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
  /** Hand the conversation to another counsellor or back to a queue; the note travels with it. */
  'conversation:transfer': (p: TransferPayload, ack: AckFn<null>) => void;
  /** Ask a supervisor for help: the conversation is flagged and supervisors are alerted. */
  'conversation:help': (p: ConversationRef, ack: AckFn<StaffConversation>) => void;
  /** Counsellor (own conversation) or supervisor: change the priority. */
  'conversation:priority': (p: { conversationId: string; priority: Priority }, ack: AckFn<StaffConversation>) => void;
  /** Supervisor: offer a waiting conversation to a chosen counsellor now (bypasses skills, not capacity). */
  'conversation:assign': (p: { conversationId: string; staffId: string }, ack: AckFn<null>) => void;
}

export type TransferTarget = { type: 'staff'; staffId: string } | { type: 'queue'; language?: Language; topic?: Topic };
export interface TransferPayload {
  conversationId: string;
  to: TransferTarget;
  note: string;
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
  typing: (p: { conversationId: string; typing: boolean }) => void;
  'message:read': (p: ReadPayload) => void;
  /** Supervisors: something needs attention. */
  'alert:new': (a: SupervisorAlert) => void;
  /** The session ended: the server is shutting down (reconnect), or it expired or was revoked (log in again). */
  'session:ended': (p: { reason: 'shutdown' | 'expired' | 'revoked' }) => void;
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

// ---------- Hotline (illegal-content reports; INHOPE/ICCAM fields, see DOMAIN.md) ----------

export const HOTLINE_CONTENT_TYPES = ['image', 'video', 'website', 'forum-chat', 'other'] as const;
export type HotlineContentType = (typeof HOTLINE_CONTENT_TYPES)[number];

export const HOTLINE_SOURCES = ['form', 'widget', 'counsellor'] as const;
export type HotlineSource = (typeof HOTLINE_SOURCES)[number];

export const HOTLINE_STATUSES = ['new', 'in_assessment', 'assessed', 'forwarded', 'content_removed', 'closed'] as const;
export type HotlineStatus = (typeof HOTLINE_STATUSES)[number];

/** baseline = illegal everywhere (INTERPOL criteria); the rest are national or other remits. */
export const HOTLINE_CLASSIFICATIONS = [
  'baseline',
  'nationally-illegal',
  'not-illegal',
  'hate',
  'terrorism',
  'harmful-but-legal',
  'out-of-remit',
] as const;
export type HotlineClassification = (typeof HOTLINE_CLASSIFICATIONS)[number];

export const HOTLINE_VICTIM_AGES = ['infant', 'pre-pubescent', 'pubescent'] as const;
export type HotlineVictimAge = (typeof HOTLINE_VICTIM_AGES)[number];

export const HOTLINE_VICTIM_GENDERS = ['girls', 'boys', 'both', 'unknown'] as const;
export type HotlineVictimGender = (typeof HOTLINE_VICTIM_GENDERS)[number];

export const HOTLINE_SITE_TYPES = ['website', 'image-host', 'file-host', 'forum', 'social-network', 'video-channel', 'chat', 'other'] as const;
export type HotlineSiteType = (typeof HOTLINE_SITE_TYPES)[number];

export const HOTLINE_ACTION_KINDS = ['police', 'inhope', 'provider'] as const;
export type HotlineActionKind = (typeof HOTLINE_ACTION_KINDS)[number];

/** Police referrals wait for a second person (supervisor/admin); the others are done when recorded. */
export type HotlineActionState = 'pending_approval' | 'done' | 'rejected';

export const HOTLINE_LIMITS = {
  maxUrls: 20,
  urlMaxChars: 2048,
  descriptionMaxChars: 4000,
  whereFoundMaxChars: 500,
  emailMaxChars: 254,
} as const;

/** POST /api/hotline/reports (public, JSON only). `pow` answers GET /api/hotline/challenge. */
export interface HotlineReportInput {
  urls: string[];
  contentType?: HotlineContentType;
  whereFound?: string;
  description?: string;
  email?: string;
  language?: 'en' | 'bg';
  /** Set by the page when opened as /report?src=widget. */
  source?: 'form' | 'widget';
  pow: { challenge: string; nonce: string };
  /** Honeypot: humans never see it, it must stay empty. */
  website?: string;
}
export interface HotlineChallenge {
  challenge: string;
  /** Leading zero bits wanted in SHA-256(challenge + ':' + nonce). */
  bits: number;
}
export interface HotlineReportCreated {
  reference: string;
  /** Shown once; only its hash is stored. */
  pickupCode: string;
}
/** POST /api/hotline/status {reference, pickupCode} — what an anonymous reporter may see. */
export interface HotlineStatusView {
  reference: string;
  status: HotlineStatus;
  /** What was done, without receivers' names or references. */
  actions: HotlineActionKind[];
  contentRemoved: boolean;
  updatedAt: string;
}

export interface HotlineAssessmentInput {
  classification: HotlineClassification;
  victimAge?: HotlineVictimAge | null;
  victimGender?: HotlineVictimGender | null;
  siteType?: HotlineSiteType | null;
  hostingIp?: string | null;
  hostingProvider?: string | null;
  /** ISO 3166-1 alpha-2. */
  hostingCountry?: string | null;
}

export interface HotlineAssessment extends HotlineAssessmentInput {
  assessedBy: string | null;
  assessedAt: string;
  /** Set when it was taken over from an earlier report of the same normalised URL. */
  reusedFromReference?: string;
}

export interface HotlineUrl {
  id: string;
  /** Plain text as reported: UIs never render it as a link unless the analyst asks. */
  url: string;
  normalizedUrl: string;
  host: string;
  assessment: HotlineAssessment | null;
  /** The earlier assessment of the same normalised URL, if any. */
  earlier: (HotlineAssessment & { reference: string; reportId: string }) | null;
}

export interface HotlineAction {
  id: string;
  kind: HotlineActionKind;
  state: HotlineActionState;
  /** Member hotline code / police unit / provider name. */
  receiver: string;
  countryCode: string | null;
  receiverRef: string | null;
  sentAt: string | null;
  requestedBy: string;
  approvedBy: string | null;
  decidedAt: string | null;
  createdAt: string;
}

export interface HotlineHistoryEntry {
  at: string;
  from: HotlineStatus | null;
  to: HotlineStatus;
  actorId: string | null;
  note: string | null;
}

export interface HotlineReportSummary {
  id: string;
  reference: string;
  source: HotlineSource;
  status: HotlineStatus;
  contentType: HotlineContentType | null;
  urlCount: number;
  assessedUrlCount: number;
  /** URLs already assessed in an earlier report. */
  knownUrlCount: number;
  pendingApproval: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface HotlineReportDetail extends HotlineReportSummary {
  whereFound: string | null;
  description: string | null;
  language: string | null;
  conversationId: string | null;
  /** Analysts only; absent for every other role. */
  reporterEmail?: string | null;
  wantsFeedback: boolean;
  urls: HotlineUrl[];
  actions: HotlineAction[];
  history: HotlineHistoryEntry[];
  forwardedAt: string | null;
  removedAt: string | null;
}

export interface HotlineActionInput {
  kind: HotlineActionKind;
  /** For inhope: the member hotline code from GET /api/hotline/member-hotlines. */
  receiver: string;
  countryCode?: string;
  receiverRef?: string;
  /** Date sent (ISO); default now. */
  sentAt?: string;
}

export interface MemberHotline {
  countryCode: string;
  name: string;
  website: string;
  code: string;
}

export interface HotlineStats {
  from: string | null;
  to: string | null;
  total: number;
  byClassification: Record<string, number>;
  byHostingCountry: Record<string, number>;
  byStatus: Record<string, number>;
  timeToForwardHours: { count: number; median: number | null; avg: number | null };
  timeToRemovalHours: { count: number; median: number | null; avg: number | null; removedWithin3DaysShare: number | null };
}

/** POST /api/conversations/:id/hotline-report (counsellor's escalation). */
export interface HotlineEscalationInput {
  urls: string[];
  description?: string;
}
export interface HotlineEscalationResult {
  id: string;
  reference: string;
}

// ---------- widget HTTP (public, Origin-checked) and offline messages ----------

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

export interface AgentServerToClientEvents {
  'offline:changed': (e: OfflineMessageChanged) => void;
}

// ---------- console: internal notes, canned responses, referrals, return codes, staff directory ----------

/** An internal note on a conversation: staff only, the child never sees it. */
export interface Note {
  id: number;
  conversationId: string;
  staffId: string;
  staffName: string | null;
  body: string;
  createdAt: string;
}
export interface AddNotePayload {
  conversationId: string;
  body: string;
}

// Appended to the /agent event maps (interface merging keeps the originals unchanged).
export interface AgentClientToServerEvents {
  /** Assigned counsellor or a supervisor: add an internal note; `note:new` goes to them and watchers. */
  'note:add': (p: AddNotePayload, ack: AckFn<Note>) => void;
}
export interface AgentServerToClientEvents {
  'note:new': (n: Note) => void;
}

/** GET /api/conversations/:id/notes */
export interface NotesResponse {
  notes: Note[];
}

/** A canned response, per language; `shortcut` is what the counsellor types after "/". */
export interface CannedResponse {
  id: string;
  language: Language;
  shortcut: string;
  title: string;
  body: string;
  updatedAt: string;
}
export interface CannedResponseInput {
  language: Language;
  shortcut: string;
  title: string;
  body: string;
}

export const INSTITUTION_KINDS = ['ministry', 'social-services', 'police', 'health', 'education', 'child-protection', 'ngo', 'other'] as const;
export type InstitutionKind = (typeof INSTITUTION_KINDS)[number];
export interface Institution {
  id: string;
  name: string;
  kind: InstitutionKind;
  contact: string | null;
  active: boolean;
}
export interface InstitutionInput {
  name: string;
  kind: InstitutionKind;
  contact?: string | null;
  active?: boolean;
}

/** A referral to the police waits for a second person's approval; any other is recorded at once. */
export type ReferralStatus = 'recorded' | 'pending_approval' | 'approved' | 'rejected';
export interface Referral {
  id: string;
  institutionId: string;
  institutionName: string;
  institutionKind: InstitutionKind;
  conversationId: string | null;
  caseId: string | null;
  note: string | null;
  status: ReferralStatus;
  requestedBy: string;
  requestedByName: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  decisionNote: string | null;
  createdAt: string;
}
/** POST /api/referrals — one of conversationId / caseId. */
export interface ReferralRequest {
  institutionId: string;
  conversationId?: string;
  caseId?: string;
  note?: string;
}

/** POST /api/conversations/:id/return-code */
export interface ReturnCodeResponse {
  code: string;
}
/** POST /api/cases/by-return-code */
export interface ReturnCodeLookupResponse {
  cases: CaseRecord[];
}

/** POST /api/contacts — a contact from another channel, logged by hand with the same case record. */
export interface ManualContactRequest extends CaseRecordInput {
  channel: Exclude<import('./domain.js').Channel, 'chat'>;
}

/** GET /api/staff/counsellors — for choosing a transfer target. */
export interface StaffDirectoryEntry {
  id: string;
  name: string;
  role: StaffRole;
  status: AgentStatus;
  load: number;
  capacity: number;
  languages: Language[];
}

// ---------- Supervision: live board and helping hands (/agent namespace, supervisors and admins) ----------

/** How the board shows a counsellor: `busy` = available with at least one chat or offer. */
export type BoardAgentState = 'available' | 'busy' | 'wrapup' | 'away' | 'offline';

export interface BoardCounsellor {
  staffId: string;
  name: string;
  role: StaffRole;
  state: BoardAgentState;
  status: AgentStatus;
  load: number;
  capacity: number;
  languages: Language[];
  topics: Topic[];
  /** When the routing status last changed. */
  since: string;
  wrapupUntil: string | null;
  connected: boolean;
}

export interface BoardWaiting {
  id: string;
  state: 'waiting' | 'offered';
  priority: Priority;
  language: Language | null;
  topic: Topic | null;
  enqueuedAt: string;
  waitSeconds: number;
  riskFlagged: boolean;
  overflow: boolean;
  /** While offered: the counsellor it is offered to. */
  offeredTo: string | null;
}

export interface BoardQueueGroup {
  language: Language | null;
  topic: Topic | null;
  priority: Priority;
  count: number;
  longestWaitSeconds: number;
}

export interface BoardLive {
  id: string;
  priority: Priority;
  language: Language | null;
  topic: Topic | null;
  staffId: string | null;
  staffName: string | null;
  acceptedAt: string | null;
  durationSeconds: number;
  riskFlagged: boolean;
  helpRequested: boolean;
}

export interface BoardSnapshot {
  at: string;
  /** Leave-a-message: how many wait for an answer and since when (counts only, never the words). */
  offlineMessages: { waiting: number; claimed: number; oldestWaitSeconds: number | null };
  waiting: {
    total: number;
    byPriority: Record<Priority, number>;
    groups: BoardQueueGroup[];
    longestWaitSeconds: number;
    /** Estimated wait of a contact arriving now; null when nobody is available. */
    estimatedWaitSeconds: number | null;
    /** The head of the queue, in queue order (at most 100). */
    list: BoardWaiting[];
  };
  counsellors: BoardCounsellor[];
  byState: Record<BoardAgentState, number>;
  live: {
    total: number;
    inWrapup: number;
    /** Longest first (at most 200). */
    list: BoardLive[];
  };
  today: {
    /** Local midnight of the centre (settings hours.timeZone). */
    since: string;
    answered: number;
    abandoned: number;
    asaSeconds: number | null;
    serviceLevel: { targetSeconds: number; answeredWithinTarget: number; share: number | null };
  };
  surge: { leaveMessageOnly: boolean };
}

/** A note a supervisor wrote to the counsellor (a whisper) carries this flag on the wire. */
export interface Note {
  whisper?: boolean;
}

export interface WatchResult {
  conversation: StaffConversation;
  messages: ChatMessage[];
  notes: Note[];
}

export interface SuperviseAgentPayload {
  staffId: string;
  status?: Exclude<AgentStatus, 'offline'> | 'offline';
  capacity?: number;
}

export interface OverflowPayload {
  language?: Language;
  topic?: Topic;
}

// Declaration merging: the supervision events join the /agent namespace's event maps.
export interface AgentClientToServerEvents {
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

export interface AgentServerToClientEvents {
  'board:update': (s: BoardSnapshot) => void;
}

/** GET /api/stats?from&to (ISO dates; `to` exclusive). */
export interface StatsReport {
  from: string;
  to: string;
  contacts: {
    total: number;
    byChannel: Record<string, number>;
    byInsafeCategory: Record<string, number>;
    byChiCategory: Record<string, number>;
    byContactType: Record<string, number>;
    byAgeGroup: Record<string, number>;
    byGender: Record<string, number>;
    byPlatform: Record<string, number>;
    byOutcome: Record<string, number>;
    referrals: number;
  };
  chat: {
    offered: number;
    answered: number;
    abandoned: number;
    asaSeconds: number | null;
    avgHandleSeconds: number | null;
    serviceLevel: { targetSeconds: number; share: number | null };
  };
  /** Null when the hotline service is not part of this deployment. */
  hotline: { total: number; byClassification: Record<string, number> } | null;
}

/** Admin: staff accounts. */
export interface StaffAccount extends StaffProfile {
  disabled: boolean;
}
