// What every messaging app's driver does, and the HTTP call they share. A driver knows its app's
// documented contract: how a webhook is signed, what its payloads say, how to send a text and how to
// ask who we are. Everything else (contacts, conversations, the outbox, retries) is the seam's.
import type { IncomingHttpHeaders } from 'node:http';
import type { AppChannel, AppConnectionCheck, Language } from '@helpline/shared';
import type { Config } from '../../config.js';
import { RetryLater } from '../outbox.js';

/** The inbox of one app with its tokens unsealed (the inbox's secret is their JSON). */
export interface AppInbox {
  id: string;
  channel: AppChannel;
  name: string;
  enabled: boolean;
  config: Record<string, string>;
  secrets: Record<string, string>;
}

/** What a webhook body said, in the seam's terms. */
export type AppEvent =
  | {
      kind: 'message';
      /** The app's id of the person: hashed to find the contact, sealed to answer them. */
      userId: string;
      /** The app's id of this message: the same id again is the same message. */
      messageId: string;
      /** What they wrote (or a file's caption); null when they sent only a file. */
      text: string | null;
      /** Files, pictures, stickers, voice notes... sent with it: never downloaded. */
      files: number;
      language: Language | null;
      at: Date;
    }
  | { kind: 'receipt'; state: 'delivered' | 'read'; messageIds: string[] }
  /** Messenger's read (and delivery) watermark: everything sent to this person until then. */
  | { kind: 'watermark'; userId: string; state: 'delivered' | 'read'; upTo: Date };

export interface AppDriver {
  /** Checked on the raw body before anything is parsed. */
  verify(inbox: AppInbox, headers: IncomingHttpHeaders, raw: Buffer): boolean;
  /** The documented payload as events; anything unknown is left out (answered 200, ignored). */
  parse(inbox: AppInbox, raw: string): AppEvent[];
  /** Sends one text to the person; the app's message id when it gives one. Throws RetryLater or DeliveryRefused. */
  send(inbox: AppInbox, address: string, text: string): Promise<{ externalId?: string }>;
  /** The app's identity endpoint (Viber get_account_info, Telegram getMe, Meta /me). */
  check(inbox: AppInbox): Promise<AppConnectionCheck>;
  /** Viber and Telegram: tell the app where our webhook is (Meta's is set in its dashboard). */
  register?(inbox: AppInbox, webhookUrl: string): Promise<AppConnectionCheck>;
  /** Shows the person that the counsellor is typing, or has read their messages, where the app can. Best effort. */
  activity?(inbox: AppInbox, address: string, activity: 'typing' | 'read'): Promise<void>;
  /** Meta: past this long after the person's last message, no reply may be sent. */
  replyWindowMs?: number;
}

export type DriverConfig = Pick<Config, 'VIBER_API_URL' | 'TELEGRAM_API_URL' | 'META_GRAPH_URL' | 'META_REPLY_WINDOW_MS' | 'DELIVERY_TIMEOUT_MS'>;

export interface AppAnswer {
  status: number;
  raw: string;
  json: any;
  retryAfterMs: number | null;
}

/** Retry-After in seconds or as an HTTP date. */
export function retryAfterOf(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** One call of an app's API. No connection or no answer in time is an attempt to repeat later. */
export async function callApp(url: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: unknown }, timeoutMs: number): Promise<AppAnswer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method,
      headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new RetryLater(`the app is unreachable${cause ? ` (${cause})` : (err as Error).name === 'TimeoutError' ? ' (timeout)' : ''}`, null);
  }
  const raw = await res.text().catch(() => '');
  let json: any = null;
  try {
    json = raw ? JSON.parse(raw) : null;
  } catch {
    json = null;
  }
  return { status: res.status, raw, json, retryAfterMs: retryAfterOf(res.headers.get('retry-after')) };
}

/** 429 and 5xx are worth repeating (after Retry-After when given). */
export function retryable(a: AppAnswer, what: string): RetryLater | null {
  if (a.status === 429 || a.status >= 500) return new RetryLater(`${what} answered ${a.status}`, a.retryAfterMs);
  return null;
}

/** A connection check of an identity endpoint's answer. */
export function checkFailed(err: unknown): AppConnectionCheck {
  if (err instanceof RetryLater) return { ok: false, problem: 'unreachable', detail: err.message };
  return { ok: false, problem: 'app_error', detail: (err as Error).message };
}

export const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);
