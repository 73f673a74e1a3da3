// Staff HTTP (JSON): login, case records, notes, canned responses, referrals, return codes,
// the staff directory and admin accounts.
import type { AgeGroup, AgentStatus, Channel, ConversationChannel, ChiCategory, ContactType, Gender, InsafeCategory, Language, Outcome, Platform, RiskLevel, StaffRole } from '../domain.js';
import type { StaffConversation, StaffProfile } from './common.js';

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
  contactType: ContactType;
  ageGroup?: AgeGroup;
  gender?: Gender;
  categories: InsafeCategory[];
  platform?: Platform;
  riskLevel?: RiskLevel;
  summary: string;
  outcome?: Outcome;
}

export interface CaseRecord extends CaseRecordInput {
  id: string;
  conversationId: string | null;
  channel: Channel;
  staffId: string;
  chiCategories: ChiCategory[];
  /** The day (YYYY-MM-DD, the centre's calendar) the counsellor means to follow the case up; null: none. */
  followUpOn: string | null;
  /** When that follow-up was marked done. */
  followUpDoneAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One change of a case record: who, when, which fields (never what was written). */
export interface CaseChange {
  staffName: string | null;
  fields: string[];
  at: string;
}

/** GET /api/cases/:id — a case record (its own counsellor's, or any for a supervisor) and its history; audited. */
export interface CaseDetailResponse {
  caseRecord: CaseRecord;
  history: CaseChange[];
}

/** PUT /api/cases/:id — completes or corrects a saved record and sets (or clears) its follow-up day. */
export interface CaseUpdateRequest {
  record: CaseRecordInput;
  followUpOn: string | null;
}

/** GET /api/cases/follow-ups — the caller's own follow-ups due today or earlier and not done, oldest first. */
export interface FollowUpsResponse {
  cases: CaseRecord[];
  /** The centre's today (YYYY-MM-DD) the answer was computed for. */
  today: string;
}

/** GET /api/cases?q=&category=&from=&to=&limit= — a counsellor's own case records (a supervisor's: all, or `mine=true`), newest first. */
export interface CaseSearchResponse {
  cases: CaseRecord[];
}

/** POST /api/conversations/:id/close (body: a CaseRecordInput) — ends the chat if needed, stores the case record, closes. */
export interface CloseConversationResponse {
  conversation: StaffConversation;
  caseRecord: CaseRecord;
}

/** An internal note on a conversation: staff only, the child never sees it. */
export interface Note {
  id: number;
  conversationId: string;
  staffId: string;
  staffName: string | null;
  body: string;
  createdAt: string;
  /** A note a supervisor wrote to the counsellor (a whisper). */
  whisper?: boolean;
}
export interface AddNotePayload {
  conversationId: string;
  body: string;
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
  channel: Exclude<Channel, 'chat'>;
}

/** GET /api/staff/counsellors — for choosing a transfer target. */
export interface StaffDirectoryResponse {
  staff: StaffDirectoryEntry[];
  /** TRANSFER_RESERVE_MS in whole minutes: how long "Queue for <name>" keeps it for her alone. */
  reserveMinutes: number;
}

export interface StaffDirectoryEntry {
  id: string;
  name: string;
  role: StaffRole;
  status: AgentStatus;
  /** Slots used (weights: an e-mail 0.25), as AgentState's. */
  load: number;
  capacity: number;
  languages: Language[];
}

/** Admin: staff accounts. */
export interface StaffAccount extends StaffProfile {
  disabled: boolean;
}

/** GET /api/admin/inboxes — a channel inbox as the admin sees it (never its secret). */
export interface InboxView {
  id: string;
  channel: ConversationChannel;
  name: string;
  enabled: boolean;
  /** API inbox: where staff replies and conversation events are POSTed, signed. */
  webhookUrl: string | null;
  createdAt: string;
  /** E-mail inbox: its mailbox settings (never the passwords) and how receiving goes. */
  email: EmailInboxView | null;
}
/** An e-mail inbox's settings as the admin sees them (docs/email.md); passwords are never shown back. */
export interface EmailInboxView {
  purpose: 'helpline' | 'hotline';
  language: Language;
  imapHost: string;
  imapPort: number;
  imapTls: boolean;
  imapUser: string;
  smtpHost: string;
  smtpPort: number;
  smtpTls: boolean;
  smtpUser: string;
  fromAddress: string;
  signature: string;
  /** The last receiving session's failure (a password that stopped working...), until one succeeds. */
  receiveError: EmailConnectionError | null;
  receiveErrorAt: string | null;
  lastReceivedAt: string | null;
}
export const EMAIL_CONNECTION_ERRORS = ['dns', 'unreachable', 'timeout', 'tls', 'imap_login', 'imap_mailbox', 'smtp_login', 'smtp_refused', 'other'] as const;
export type EmailConnectionError = (typeof EMAIL_CONNECTION_ERRORS)[number];
/** POST /api/admin/inboxes/:id/test-connection */
export interface EmailConnectionTest {
  imap: { ok: boolean; error: EmailConnectionError | null; detail: string | null };
  smtp: { ok: boolean; error: EmailConnectionError | null; detail: string | null };
}
/** GET /api/conversations/:id/email — what the console shows of an e-mail conversation. */
export interface EmailThreadView {
  subject: string | null;
  /** The correspondent's address masked (`a•••@e•••.org`); the whole one only by a reveal (audited). */
  maskedFrom: string;
  /** What the receiving server said of the last mail's sender (SPF, DKIM, DMARC): a forged sender shows here. */
  authentication: { spf: string | null; dkim: string | null; dmarc: string | null; raw: string | null };
  /** Files that came with the mails, by name only (never stored); images and videos are dropped. */
  attachments: string[];
  dropped: number;
}
/** POST /api/conversations/:id/email/reveal */
export interface EmailReveal {
  address: string;
}
/** POST /api/admin/inboxes — the secret is shown in this answer only. */
export interface InboxCreated {
  inbox: InboxView;
  /** Null for an e-mail inbox: its passwords were given, and are never shown back. */
  secret: string | null;
}
/** The messaging apps an admin connects with their own tokens (docs/messaging-apps.md). */
export const APP_CHANNELS = ['viber', 'messenger', 'telegram', 'whatsapp', 'instagram'] as const;
export type AppChannel = (typeof APP_CHANNELS)[number];
export const isAppChannel = (c: string): c is AppChannel => (APP_CHANNELS as readonly string[]).includes(c);
/** GET /api/admin/inboxes/:id/app — what to paste into the app's settings (never a token). */
export interface AppInboxConnect {
  channel: AppChannel;
  /** The address the app posts its webhooks to. */
  webhookUrl: string;
  /** Meta apps: the verify token of the webhook's subscription handshake. */
  verifyToken: string | null;
  /** WhatsApp: the business phone number's id replies are sent from. */
  phoneNumberId: string | null;
}
/** POST /api/admin/inboxes/:id/app/check — the app's identity endpoint answered (or why not). */
export type AppConnectionCheck =
  | { ok: true; accountName: string; accountId: string }
  | { ok: false; problem: 'bad_credentials' | 'unreachable' | 'app_error'; detail: string };
/** GET /api/admin/inboxes/:id/failed-deliveries — replayable with POST /api/admin/deliveries/:id/replay. */
export interface FailedDelivery {
  id: string;
  kind: 'message.created' | 'conversation.ended';
  conversationId: string;
  messageId: string | null;
  attempts: number;
  lastError: string | null;
  updatedAt: string;
}
