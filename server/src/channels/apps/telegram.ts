// Telegram (Bot API, https://core.telegram.org/bots/api). Webhooks carry the secret token we gave
// setWebhook in X-Telegram-Bot-Api-Secret-Token (compared in constant time). Replies are
// POST /bot<token>/sendMessage; errors say `error_code` and, for 429, `parameters.retry_after`.
// Telegram reports no delivery or read receipts to bots.
import { createHash, timingSafeEqual } from 'node:crypto';
import { matchLanguageTag } from '@helpline/shared';
import { DeliveryRefused, RetryLater } from '../outbox.js';
import { callApp, checkFailed, str, type AppDriver, type AppEvent, type DriverConfig } from './common.js';

// Kinds of content a Message may carry that are files of some sort (https://core.telegram.org/bots/api#message).
const FILE_FIELDS = ['photo', 'video', 'video_note', 'voice', 'audio', 'document', 'sticker', 'animation', 'contact', 'location', 'venue', 'poll', 'dice'];

const digest = (s: string) => createHash('sha256').update(s).digest();

export function telegramDriver(cfg: DriverConfig): AppDriver {
  const base = cfg.TELEGRAM_API_URL.replace(/\/+$/, '');
  const call = (botToken: string, method: string, body?: unknown) =>
    callApp(`${base}/bot${botToken}/${method}`, body === undefined ? { method: 'GET' } : { method: 'POST', body }, cfg.DELIVERY_TIMEOUT_MS);

  const failure = (a: { status: number; json: any; retryAfterMs: number | null }, what: string) => {
    const code = Number(a.json?.error_code ?? a.status);
    const description = String(a.json?.description ?? `HTTP ${a.status}`);
    if (code === 429) {
      const s = Number(a.json?.parameters?.retry_after);
      return new RetryLater(`Telegram ${what}: ${description}`, Number.isFinite(s) ? s * 1000 : a.retryAfterMs);
    }
    if (code >= 500) return new RetryLater(`Telegram ${what}: ${description}`, a.retryAfterMs);
    // 403: the bot was blocked by the user, or the user is deactivated.
    if (code === 403) return new DeliveryRefused('recipient_gone', `Telegram: ${description}`);
    // 400: the message itself is refused (too long, bad chat id...): sending it again would not help.
    if (code === 400) return new DeliveryRefused('rejected', `Telegram: ${description}`);
    return new Error(`Telegram ${what}: ${description}`);
  };

  return {
    verify(inbox, headers, _raw) {
      const got = headers['x-telegram-bot-api-secret-token'];
      const want = inbox.secrets.webhookSecret;
      if (typeof got !== 'string' || !want) return false;
      // Digests of equal length, so the comparison takes the same time whatever was sent.
      return timingSafeEqual(digest(got), digest(want));
    },

    parse(_inbox, raw) {
      const u = JSON.parse(raw) as Record<string, any>;
      const m = u.message;
      // Only private chats with a person (not groups, channels, edited messages, callbacks...).
      if (!m || m.chat?.type !== 'private') return [];
      const chatId = str(m.chat?.id);
      const messageId = str(m.message_id);
      if (!chatId || !messageId) return [];
      const text = typeof m.text === 'string' ? m.text : typeof m.caption === 'string' ? m.caption : null;
      const files = FILE_FIELDS.filter((f) => m[f] !== undefined).length;
      if (!text && !files) return [];
      const ev: AppEvent = { kind: 'message', userId: chatId, messageId: `${chatId}:${messageId}`, text: text?.trim() ? text : null, files, language: matchLanguageTag(m.from?.language_code), at: new Date((Number(m.date) || Date.now() / 1000) * 1000) };
      return [ev];
    },

    async send(inbox, address, text) {
      // Links stay plain text: no preview is fetched or shown.
      const a = await call(inbox.secrets.botToken ?? '', 'sendMessage', { chat_id: address, text, link_preview_options: { is_disabled: true } });
      if (a.status === 200 && a.json?.ok === true) return { externalId: `${address}:${a.json.result?.message_id ?? ''}` };
      throw failure(a, 'sendMessage');
    },

    // Only typing: the Bot API has no way to mark a person's messages read.
    async activity(inbox, address, activity) {
      if (activity !== 'typing') return;
      const a = await call(inbox.secrets.botToken ?? '', 'sendChatAction', { chat_id: address, action: 'typing' });
      if (!(a.status === 200 && a.json?.ok === true)) throw failure(a, 'sendChatAction');
    },

    async check(inbox) {
      try {
        const a = await call(inbox.secrets.botToken ?? '', 'getMe');
        if (a.status === 200 && a.json?.ok) return { ok: true, accountName: String(a.json.result?.username ?? a.json.result?.first_name ?? ''), accountId: String(a.json.result?.id ?? '') };
        if (a.status === 401 || a.status === 404) return { ok: false, problem: 'bad_credentials', detail: String(a.json?.description ?? `HTTP ${a.status}`) };
        return { ok: false, problem: 'app_error', detail: String(a.json?.description ?? `HTTP ${a.status}`) };
      } catch (err) {
        return checkFailed(err);
      }
    },

    async register(inbox, url) {
      try {
        const a = await call(inbox.secrets.botToken ?? '', 'setWebhook', { url, secret_token: inbox.secrets.webhookSecret, allowed_updates: ['message'] });
        if (a.status === 200 && a.json?.ok) return { ok: true, accountName: inbox.name, accountId: '' };
        return { ok: false, problem: a.status === 401 || a.status === 404 ? 'bad_credentials' : 'app_error', detail: String(a.json?.description ?? `HTTP ${a.status}`) };
      } catch (err) {
        return checkFailed(err);
      }
    },
  };
}
