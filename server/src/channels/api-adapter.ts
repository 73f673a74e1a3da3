// The API channel's way out: each delivery is one POST to the inbox's webhook URL, signed like the
// requests the integrator sends us (channels/crypto.ts). The receiver answers 2xx when it took it; any
// other answer, a timeout or no connection is an attempt failed with that reason (the outbox retries).
// X-Helpline-Delivery is the same on every attempt of one delivery: the receiver's key against
// handling a retried delivery twice.
import type { Clock } from '../infra/clock.js';
import type { OpenInbox } from './inboxes.js';
import type { ChannelAdapter, Outgoing } from './outbox.js';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, sign } from './crypto.js';

/** The webhook's body (documented in docs/channels.md and the OpenAPI document). */
export function webhookBody(inbox: OpenInbox, out: Outgoing): Record<string, unknown> {
  const base = { event: out.kind, deliveryId: out.deliveryId, inboxId: inbox.id, conversationId: out.conversationId };
  if (out.kind === 'conversation.ended') return { ...base, endedAt: out.endedAt };
  const m = out.message;
  return { ...base, message: { id: m.id, seq: m.seq, text: m.body, senderName: m.senderName ?? null, createdAt: m.createdAt } };
}

export function createApiAdapter(opts: { timeoutMs: number; clock: Clock }): ChannelAdapter {
  return {
    async deliver(inbox, out) {
      const url = inbox.config.webhookUrl;
      if (!url) throw new Error('the inbox has no webhook URL');
      const body = JSON.stringify(webhookBody(inbox, out));
      const timestamp = String(Math.floor(opts.clock.now() / 1000));
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: sign(inbox.secret, timestamp, body),
            'x-helpline-delivery': out.deliveryId,
            'x-helpline-event': out.kind,
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(opts.timeoutMs),
        });
      } catch (err) {
        const cause = (err as { cause?: { code?: string } }).cause?.code;
        throw new Error(`webhook unreachable${cause ? ` (${cause})` : (err as Error).name === 'TimeoutError' ? ' (timeout)' : ''}`);
      }
      await res.body?.cancel().catch(() => {});
      if (res.status < 200 || res.status >= 300) throw new Error(`webhook answered ${res.status}`);
      return {};
    },
  };
}
