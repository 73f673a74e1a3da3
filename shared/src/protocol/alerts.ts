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

/** `GET /api/public/push/key`: the VAPID public key (base64url, uncompressed P-256 point) for `PushManager.subscribe`. */
export interface PushKey {
  publicKey: string;
}

/** Limits on a Web Push subscription (bytes of the endpoint URL). */
export const PUSH_LIMITS = { endpointMaxChars: 1024 } as const;

/**
 * `POST /api/public/push/subscribe`: what `PushSubscription.toJSON()` gives, and the language alerts
 * are wanted in. Nothing else is kept: no IP, no account, no device name.
 */
export interface PushSubscribeInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** Sent by `toJSON()`; not kept. */
  expirationTime?: number | null;
  language: Language;
}

/** `POST /api/public/push/unsubscribe`: the endpoint and its auth secret (both known only to that browser). */
export interface PushUnsubscribeInput {
  endpoint: string;
  auth: string;
}

/** What a push message carries (JSON, encrypted per RFC 8291); the service worker shows it. */
export interface PushAlertPayload {
  id: string;
  severity: AlertSeverity;
  language: Language;
  title: string;
  /** The start of "what is happening", at most 200 characters. */
  body: string;
  /** The alert on the platform (the widget opened on it). */
  url: string;
}
