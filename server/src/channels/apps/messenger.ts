// Facebook Messenger and Instagram messaging (Messenger Platform): webhooks of object `page` or
// `instagram`, entry[].messaging[] with message / delivery / read; replies by the Send API,
// POST /me/messages with the Page access token (Bearer).
// https://developers.facebook.com/docs/messenger-platform/reference/webhook-events/messages
// https://developers.facebook.com/docs/messenger-platform/instagram/features/webhook
import type { AppDriver, AppEvent, DriverConfig } from './common.js';
import { graph, verifyMetaSignature } from './meta.js';

export function messengerDriver(cfg: DriverConfig, app: 'Messenger' | 'Instagram'): AppDriver {
  const g = graph(cfg);
  const object = app === 'Messenger' ? 'page' : 'instagram';
  return {
    replyWindowMs: cfg.META_REPLY_WINDOW_MS,
    verify: verifyMetaSignature,

    parse(_inbox, raw) {
      const b = JSON.parse(raw) as Record<string, any>;
      if (b.object !== object || !Array.isArray(b.entry)) return [];
      const out: AppEvent[] = [];
      for (const entry of b.entry) {
        for (const e of Array.isArray(entry?.messaging) ? entry.messaging : []) {
          const userId = typeof e?.sender?.id === 'string' ? e.sender.id : null;
          if (!userId) continue;
          if (e.message && !e.message.is_echo && typeof e.message.mid === 'string') {
            const files = Array.isArray(e.message.attachments) ? e.message.attachments.length : 0;
            const text = typeof e.message.text === 'string' && e.message.text.trim() ? e.message.text : null;
            if (text || files) out.push({ kind: 'message', userId, messageId: e.message.mid, text, files, language: null, at: new Date(Number(e.timestamp) || Date.now()) });
          } else if (e.delivery) {
            const mids = Array.isArray(e.delivery.mids) ? e.delivery.mids.filter((m: unknown) => typeof m === 'string') : [];
            if (mids.length) out.push({ kind: 'receipt', state: 'delivered', messageIds: mids });
            else if (Number(e.delivery.watermark)) out.push({ kind: 'watermark', userId, state: 'delivered', upTo: new Date(Number(e.delivery.watermark)) });
          } else if (e.read) {
            // Messenger reads by watermark; Instagram names the message read.
            if (typeof e.read.mid === 'string') out.push({ kind: 'receipt', state: 'read', messageIds: [e.read.mid] });
            else if (Number(e.read.watermark)) out.push({ kind: 'watermark', userId, state: 'read', upTo: new Date(Number(e.read.watermark)) });
          }
        }
      }
      return out;
    },

    async send(inbox, address, text) {
      const a = await g.call(inbox, 'POST', 'me/messages', { recipient: { id: address }, messaging_type: 'RESPONSE', message: { text } });
      if (a.status === 200 && typeof a.json?.message_id === 'string') return { externalId: a.json.message_id };
      throw g.failure(a, app);
    },

    // Sender actions: https://developers.facebook.com/docs/messenger-platform/send-messages/sender-actions
    async activity(inbox, address, activity) {
      const a = await g.call(inbox, 'POST', 'me/messages', { recipient: { id: address }, sender_action: activity === 'typing' ? 'typing_on' : 'mark_seen' });
      if (a.status !== 200) throw g.failure(a, app);
    },

    check: (inbox) => g.check(inbox, 'me?fields=id,name', (j) => String(j.name ?? j.username ?? '')),
  };
}

