// Hotline (illegal-content reports; INHOPE/ICCAM fields, see DOMAIN.md): public form and analysts.
import type { Language } from '../domain.js';

export const HOTLINE_CONTENT_TYPES = ['image', 'video', 'website', 'forum-chat', 'other'] as const;
export type HotlineContentType = (typeof HOTLINE_CONTENT_TYPES)[number];

export const HOTLINE_SOURCES = ['form', 'widget', 'counsellor', 'email'] as const;
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
  language?: Language;
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
  /**
   * The latest earlier assessment of the same normalised URL, if any, with its report and URL: shown with
   * its age, applied only when an analyst confirms (POST .../urls/:urlId/apply-earlier).
   */
  earlier: (HotlineAssessment & { reference: string; reportId: string; urlId: string }) | null;
  /** Other open reports of the same normalised URL (assessed there or not): one analyst, not two. */
  openElsewhere: HotlineUrlElsewhere[];
  /** Notice and takedown of this URL, in order: received, assessed, sent (each done forwarding), removed. */
  timeline: HotlineTimelineEntry[];
  /** From the report to the confirmed removal, in hours (null while not removed). */
  hoursToRemoval: number | null;
}

export interface HotlineTimelineEntry {
  event: 'received' | 'assessed' | 'sent' | 'removed';
  at: string;
  /** For `sent`: to whom (police, the partner hotline, the provider). */
  kind?: HotlineActionKind;
  receiverName?: string;
}

export interface HotlineUrlElsewhere {
  reportId: string;
  reference: string;
  status: HotlineStatus;
}

export interface HotlineAction {
  id: string;
  kind: HotlineActionKind;
  state: HotlineActionState;
  /** Member hotline code / police unit / provider name. */
  receiver: string;
  /** What people read: the member hotline's name for a code, else the receiver as entered. */
  receiverName: string;
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
  /** URLs known elsewhere: assessed in another report, or reported in another open one. */
  knownUrlCount: number;
  pendingApproval: boolean;
  /** Who holds the report (an analyst claims it before assessing; a lapsed claim is null). */
  claim: HotlineClaim | null;
  /**
   * When a notice to the hosting provider went unanswered for the set time (HOTLINE_TAKEDOWN_REMINDER_HOURS)
   * and the content is still not removed: since when it is overdue. Null otherwise.
   */
  takedownOverdueSince: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface HotlineClaim {
  staffId: string;
  name: string;
  /** The holder's last step on the report; the claim lapses a set time after it. */
  at: string;
  lapsesAt: string;
}

/** POST /api/hotline/reports/:id/urls/:urlId/apply-earlier: the earlier assessment the analyst saw and confirms. */
export interface HotlineApplyEarlierInput {
  fromUrlId: string;
}

/** GET /api/hotline/analysts: the active analysts (whom a supervisor can hand a report to). */
export interface HotlineAnalyst {
  id: string;
  name: string;
}

/** POST /api/hotline/reports/:id/claim: an analyst takes it (no body), a supervisor gives it to an analyst. */
export interface HotlineClaimInput {
  staffId?: string;
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
  /** Where its content should go, by the URLs' hosting countries and the centre's profile. */
  forwarding: HotlineForwarding;
}

/**
 * A suggested forwarding for the URLs hosted in one country (the analyst decides): `national` when it is
 * the centre's own country (its national police unit: the national procedure), `member` when another
 * country has an INHOPE member hotline (that hotline), `no_member` when it has none (the national police,
 * which forwards through its international channels).
 */
export interface HotlineForwardingSuggestion {
  /** ISO 3166-1 alpha-2, as assessed. */
  hostingCountry: string;
  route: 'national' | 'member' | 'no_member';
  kind: 'police' | 'inhope';
  /** The police unit ('' when the centre has set none) or the member hotline's code. */
  receiver: string;
  /** The URLs hosted there that are illegal (classified other than not illegal, harmful but legal, out of remit). */
  urlIds: string[];
}

export interface HotlineForwarding {
  /** The centre's own country ('' for none) and INHOPE member hotline (null when none is set). */
  countryCode: string;
  nationalMember: MemberHotline | null;
  suggestions: HotlineForwardingSuggestion[];
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
  /** URLs of the period, those assessed, and those found illegal (any class but not illegal, harmful but legal, out of remit). */
  urls: number;
  assessedUrls: number;
  illegalUrls: number;
  /** illegalUrls / assessedUrls (null with none assessed). */
  illegalShare: number | null;
  /** URLs whose address had never been reported before (de-duplication key), and their share of all URLs. */
  newUrls: number;
  newShare: number | null;
  /** Of the illegal URLs, where assessed: site type, victims' age band and gender. */
  bySiteType: Record<string, number>;
  byVictimAge: Record<string, number>;
  byVictimGender: Record<string, number>;
  /** From the report to its first referral to the police that was sent (approved). */
  timeToPoliceHours: { count: number; median: number | null; avg: number | null };
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
