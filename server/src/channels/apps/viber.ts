// Viber (REST bot API, https://developers.viber.com/docs/api/rest-bot-api/). Webhooks are signed with
// X-Viber-Content-Signature: hex HMAC-SHA256 of the raw body keyed with the bot's auth token. Replies
// are POST send_message with X-Viber-Auth-Token; the answer's `status` (not the HTTP status) says how
// it went. Viber reports `delivered` and `seen` callbacks for our messages by their message_token.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { matchLanguageTag } from '@helpline/shared';
import { DeliveryRefused, RetryLater } from '../outbox.js';
import { callApp, checkFailed, retryable, str, type AppDriver, type AppEvent, type AppInbox, type DriverConfig } from './common.js';

/** Viber's message tokens are 64-bit integers: read them as text before JSON loses their last digits. */
export const quoteTokens = (raw: string) => raw.replace(/("message_token"\s*:\s*)(-?\d+)/g, '$1"$2"');

// https://developers.viber.com/docs/api/rest-bot-api/#error-codes
const GONE = new Set([5, 6, 7, 11]); // receiverNotRegistered, receiverNotSubscribed, publicAccountBlocked, receiverNoSuitableDevice
const TOO_MANY = 12;
const BAD_MESSAGE = new Set([3, 4]); // badData, missingData: the same message would be refused again
const FILE_TYPES = new Set(['picture', 'video', 'file', 'sticker', 'contact', 'location']);

export function viberDriver(cfg: DriverConfig): AppDriver {
  const base = cfg.VIBER_API_URL.replace(/\/+$/, '');
  const call = (inbox: AppInbox, method: string, body: unknown) =>
    callApp(`${base}/${method}`, { method: 'POST', headers: { 'X-Viber-Auth-Token': inbox.secrets.authToken ?? '' }, body }, cfg.DELIVERY_TIMEOUT_MS);

  return {
    verify(inbox, headers, raw) {
      const got = headers['x-viber-content-signature'];
      if (typeof got !== 'string' || !/^[0-9a-f]{64}$/i.test(got)) return false;
      const expected = createHmac('sha256', inbox.secrets.authToken ?? '').update(raw).digest();
      return timingSafeEqual(Buffer.from(got.toLowerCase(), 'hex'), expected);
    },

    parse(_inbox, raw) {
      const b = JSON.parse(quoteTokens(raw)) as Record<string, any>;
      const token = str(b.message_token);
      switch (b.event) {
        case 'message': {
          const userId = str(b.sender?.id);
          const m = b.message ?? {};
          if (!userId || !token) return [];
          // By type only: the documented text example carries a `media` field too.
          const isFile = FILE_TYPES.has(m.type);
          // A picture's or video's `text` is its description: kept as words, the file is not. A link
          // (type url) is its address, kept as plain text.
          const words = m.type === 'url' ? m.media : m.text;
          const text = typeof words === 'string' && words.trim() ? words : null;
          if (!text && !isFile) return [];
          const ev: AppEvent = { kind: 'message', userId, messageId: token, text, files: isFile ? 1 : 0, language: matchLanguageTag(b.sender?.language), at: new Date(Number(b.timestamp) || Date.now()) };
          return [ev];
        }
        case 'delivered':
        case 'seen':
          return token ? [{ kind: 'receipt', state: b.event === 'seen' ? 'read' : 'delivered', messageIds: [token] }] : [];
        default:
          // webhook (the set_webhook check), subscribed, unsubscribed, conversation_started, failed...
          return [];
      }
    },

    async send(inbox, address, text) {
      const a = await call(inbox, 'send_message', { receiver: address, min_api_version: 1, sender: { name: inbox.name.slice(0, 28) }, type: 'text', text });
      const again = retryable(a, 'Viber');
      if (again) throw again;
      const body = a.json as { status?: number; status_message?: string } | null;
      if (a.status !== 200 || !body) throw new Error(`Viber answered ${a.status}`);
      if (body.status === 0) return { externalId: /"message_token"\s*:\s*"?(-?\d+)/.exec(a.raw)?.[1] ?? '' };
      if (body.status === TOO_MANY) throw new RetryLater(`Viber: ${body.status_message ?? 'tooManyRequests'}`, a.retryAfterMs);
      if (GONE.has(body.status ?? -1)) throw new DeliveryRefused('recipient_gone', `Viber: ${body.status_message ?? body.status}`);
      if (BAD_MESSAGE.has(body.status ?? -1)) throw new DeliveryRefused('rejected', `Viber: ${body.status_message ?? body.status}`);
      throw new Error(`Viber: ${body.status_message ?? `status ${body.status}`}`);
    },

    async check(inbox) {
      try {
        const a = await call(inbox, 'get_account_info', {});
        const b = a.json as { status?: number; status_message?: string; id?: string; name?: string } | null;
        if (a.status === 200 && b?.status === 0) return { ok: true, accountName: b.name ?? '', accountId: b.id ?? '' };
        if (b?.status === 2) return { ok: false, problem: 'bad_credentials', detail: b.status_message ?? 'invalidAuthToken' };
        return { ok: false, problem: 'app_error', detail: b?.status_message ?? `HTTP ${a.status}` };
      } catch (err) {
        return checkFailed(err);
      }
    },

    async register(inbox, url) {
      try {
        // No name or picture of the person in our callbacks: send_name and send_photo off.
        const a = await call(inbox, 'set_webhook', { url, event_types: ['delivered', 'seen', 'failed', 'subscribed', 'unsubscribed', 'conversation_started'], send_name: false, send_photo: false });
        const b = a.json as { status?: number; status_message?: string } | null;
        if (a.status === 200 && b?.status === 0) return { ok: true, accountName: inbox.name, accountId: '' };
        return { ok: false, problem: b?.status === 2 ? 'bad_credentials' : 'app_error', detail: b?.status_message ?? `HTTP ${a.status}` };
      } catch (err) {
        return checkFailed(err);
      }
    },
  };
}
