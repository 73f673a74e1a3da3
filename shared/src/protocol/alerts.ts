// Trend alerts: analysts and admins write them, a second person approves, the public feeds
// (`GET /api/public/alerts`, `/alerts.atom`), the widget and any client SDK read them.
// Documented in docs/alerts.md and docs/protocol.md.
import type { Language } from '../domain.js';

export const ALERT_SEVERITIES = ['info', 'warning', 'urgent'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** Stored states; `expired` is derived (published, and its expiry has passed). */
export const ALERT_STATES = ['draft', 'awaiting_approval', 'published', 'withdrawn'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export type AlertShownState = AlertState | 'expired';

/** Limits on an alert's texts (characters, after trimming). */
export const ALERT_LIMITS = { titleMaxChars: 120, textMaxChars: 2000, adviceMaxChars: 1000 } as const;

/** One language's texts. Plain text only: no client renders them as HTML. */
export interface AlertText {
  title: string;
  text: string;
  advice: string;
}

/** What an analyst writes. `sr-Latn` may be left out: it is generated from `sr-Cyrl`. */
export interface AlertInput {
  severity: AlertSeverity;
  /** ISO-8601 date-time, in the future. */
  expiresAt: string;
  texts: Partial<Record<Language, AlertText>>;
}

/** An alert as the console shows it. */
export interface StaffAlert {
  id: string;
  state: AlertShownState;
  severity: AlertSeverity;
  expiresAt: string;
  texts: Partial<Record<Language, AlertText>>;
  author: { id: string; name: string };
  approvedBy: { id: string; name: string } | null;
  withdrawnBy: { id: string; name: string } | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  publishedAt: string | null;
  withdrawnAt: string | null;
}

/** One published, unexpired alert in one language, as the public feeds give it. */
export interface PublicAlert {
  id: string;
  severity: AlertSeverity;
  /** The language these texts are in: the one asked for, or the centre's default when it has none. */
  language: Language;
  title: string;
  text: string;
  advice: string;
  publishedAt: string;
  expiresAt: string;
}

/** `GET /api/public/alerts?lang=…`: newest first. */
export interface PublicAlertFeed {
  language: Language;
  alerts: PublicAlert[];
}
