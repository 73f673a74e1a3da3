// WhatsApp Cloud API: webhooks of object `whatsapp_business_account`, entry[].changes[].value with
// messages[] and statuses[] (sent, delivered, read); replies by POST /{phone-number-id}/messages with
// the system user's access token (Bearer). Outside the 24-hour window only an approved template may be
// sent: not built (the console says so; docs/messaging-apps.md).
// https://developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples
// https://developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
import type { AppDriver, AppEvent, DriverConfig } from './common.js';
import { graph, verifyMetaSignature } from './meta.js';

export function whatsappDriver(cfg: DriverConfig): AppDriver {
  const g = graph(cfg);
  return {
    replyWindowMs: cfg.META_REPLY_WINDOW_MS,
    verify: verifyMetaSignature,

    parse(inbox, raw) {
      const b = JSON.parse(raw) as Record<string, any>;
      if (b.object !== 'whatsapp_business_account' || !Array.isArray(b.entry)) return [];
      const out: AppEvent[] = [];
      for (const entry of b.entry) {
        for (const change of Array.isArray(entry?.changes) ? entry.changes : []) {
          const v = change?.value;
          if (change?.field !== 'messages' || !v) continue;
          // One app may serve several numbers: only this inbox's.
          if (inbox.config.phoneNumberId && v.metadata?.phone_number_id !== inbox.config.phoneNumberId) continue;
          for (const m of Array.isArray(v.messages) ? v.messages : []) {
            if (typeof m?.from !== 'string' || typeof m?.id !== 'string') continue;
            const text = m.type === 'text' ? m.text?.body : m[m.type]?.caption;
            const isText = m.type === 'text';
            // System messages, reactions and unsupported kinds are no words of the person.
            if (['system', 'reaction', 'unsupported', 'ephemeral', 'request_welcome'].includes(m.type)) continue;
            out.push({ kind: 'message', userId: m.from, messageId: m.id, text: typeof text === 'string' && text.trim() ? text : null, files: isText ? 0 : 1, language: null, at: new Date((Number(m.timestamp) || Date.now() / 1000) * 1000) });
          }
          for (const s of Array.isArray(v.statuses) ? v.statuses : []) {
            if (typeof s?.id === 'string' && (s.status === 'delivered' || s.status === 'read')) out.push({ kind: 'receipt', state: s.status, messageIds: [s.id] });
          }
        }
      }
      return out;
    },

    async send(inbox, address, text) {
      // preview_url false: links stay plain text.
      const a = await g.call(inbox, 'POST', `${encodeURIComponent(inbox.config.phoneNumberId ?? '')}/messages`, {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: address,
        type: 'text',
        text: { preview_url: false, body: text },
      });
      const id = a.json?.messages?.[0]?.id;
      if (a.status === 200 && typeof id === 'string') return { externalId: id };
      throw g.failure(a, 'WhatsApp');
    },

    check: (inbox) => g.check(inbox, `${encodeURIComponent(inbox.config.phoneNumberId ?? '')}?fields=id,verified_name,display_phone_number`, (j) => String(j.verified_name ?? j.display_phone_number ?? '')),
  };
}
