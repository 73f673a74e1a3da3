// What Messenger, Instagram and WhatsApp share: Meta's webhooks (signed with X-Hub-Signature-256, a
// hex HMAC-SHA256 of the raw body keyed with the app secret; subscribed with the hub.challenge
// handshake), the Graph API's Bearer token and its error codes, and the 24-hour reply window.
// https://developers.facebook.com/docs/graph-api/webhooks/getting-started
// https://developers.facebook.com/docs/messenger-platform/reference/send-api/#errors
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AppConnectionCheck } from '@helpline/shared';
import { DeliveryRefused, RetryLater } from '../outbox.js';
import { callApp, checkFailed, retryable, type AppAnswer, type AppInbox, type DriverConfig } from './common.js';

export function verifyMetaSignature(inbox: AppInbox, headers: IncomingHttpHeaders, raw: Buffer): boolean {
  const got = headers['x-hub-signature-256'];
  if (typeof got !== 'string') return false;
  const m = /^sha256=([0-9a-f]{64})$/i.exec(got);
  if (!m || !inbox.secrets.appSecret) return false;
  return timingSafeEqual(Buffer.from(m[1]!.toLowerCase(), 'hex'), createHmac('sha256', inbox.secrets.appSecret).update(raw).digest());
}

/** The GET handshake of a webhook subscription: the challenge back when the verify token is ours. */
export function metaHandshake(inbox: AppInbox, query: Record<string, unknown>): string | null {
  const token = inbox.config.verifyToken;
  if (query['hub.mode'] !== 'subscribe' || !token || typeof query['hub.verify_token'] !== 'string') return null;
  const a = Buffer.from(String(query['hub.verify_token']));
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
  const challenge = query['hub.challenge'];
  return typeof challenge === 'string' && /^[\x21-\x7e]{1,200}$/.test(challenge) ? challenge : null;
}

// Rate and throughput limits (Graph API, Messenger, WhatsApp Cloud API): try again later.
const THROTTLED = new Set([4, 17, 32, 613, 80006, 130429, 131056]);
// Past the 24-hour window: Messenger (10 / 2018278), Instagram (10 / 2534022), WhatsApp (131047).
const outsideWindow = (code: number, sub: number) => (code === 10 && (sub === 2018278 || sub === 2534022)) || code === 131047;
// The person cannot be reached (Messenger 551, subcodes 1545041 and 2018108; WhatsApp 131026 undeliverable).
const GONE = new Set([551, 131026]);
const GONE_SUBCODES = new Set([1545041, 2018108]);

export const bearer = (inbox: AppInbox) => ({ Authorization: `Bearer ${inbox.secrets.accessToken ?? ''}` });

export function graph(cfg: DriverConfig) {
  const base = cfg.META_GRAPH_URL.replace(/\/+$/, '');
  return {
    call: (inbox: AppInbox, method: 'GET' | 'POST', path: string, body?: unknown) => callApp(`${base}/${path}`, { method, headers: bearer(inbox), ...(body !== undefined ? { body } : {}) }, cfg.DELIVERY_TIMEOUT_MS),
    /** A Graph error as the outbox's terms: repeat later, refused for a reason, or a plain failure. */
    failure(a: AppAnswer, app: string): Error {
      const e = (a.json?.error ?? {}) as { code?: number; error_subcode?: number; message?: string };
      const code = Number(e.code ?? 0);
      const sub = Number(e.error_subcode ?? 0);
      const what = `${app}: ${e.message ?? `HTTP ${a.status}`}${code ? ` (code ${code}${sub ? `/${sub}` : ''})` : ''}`;
      if (outsideWindow(code, sub)) return new DeliveryRefused('outside_window', what);
      if (GONE.has(code) || GONE_SUBCODES.has(sub)) return new DeliveryRefused('recipient_gone', what);
      if (THROTTLED.has(code)) return new RetryLater(what, a.retryAfterMs);
      // 100: an invalid parameter: the same request would be refused again.
      if (code === 100) return new DeliveryRefused('rejected', what);
      return retryable(a, app) ?? new Error(what);
    },
    async check(inbox: AppInbox, path: string, name: (j: any) => string): Promise<AppConnectionCheck> {
      try {
        const a = await this.call(inbox, 'GET', path);
        if (a.status === 200 && a.json?.id) return { ok: true, accountName: name(a.json), accountId: String(a.json.id) };
        const code = Number(a.json?.error?.code ?? 0);
        // 190: invalid or expired access token.
        return { ok: false, problem: code === 190 || a.status === 401 ? 'bad_credentials' : 'app_error', detail: String(a.json?.error?.message ?? `HTTP ${a.status}`) };
      } catch (err) {
        return checkFailed(err);
      }
    },
  };
}
