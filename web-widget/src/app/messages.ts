// The transcript as the widget shows it: server messages ordered by seq, then what is still in the
// outbox. Whatever arrives twice (ack and broadcast, resume after reconnect) is shown once.
import type { ChatMessage, VisitorConversation } from '@helpline/shared';

export interface OutboxItem {
  clientMsgId: string;
  conversationId: string;
  body: string;
  createdAt: string;
  /** Refused by the server for good (e.g. the conversation ended): shown, not retried. */
  failed?: boolean;
}

export type DeliveryState = 'pending' | 'sending' | 'delivered' | 'read' | 'failed';

export interface Line {
  key: string;
  sender: ChatMessage['sender'];
  senderName?: string;
  body: string;
  system?: ChatMessage['system'];
  createdAt: string;
  seq: number | null;
  delivery: DeliveryState | null;
}

/** Merge `incoming` into `list` (sorted by seq); duplicates by seq or clientMsgId are dropped. */
export function mergeMessages(list: readonly ChatMessage[], incoming: readonly ChatMessage[]): ChatMessage[] {
  const bySeq = new Map<number, ChatMessage>();
  const ids = new Set<string>();
  for (const m of [...list, ...incoming]) {
    if (bySeq.has(m.seq) || ids.has(m.clientMsgId)) continue;
    bySeq.set(m.seq, m);
    ids.add(m.clientMsgId);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * The highest seq up to which the transcript has every message (seqs are gapless from 1). A resume
 * continues from here, not from the last message held, so a message missed live while later ones
 * arrived is fetched too.
 */
export function contiguousSeq(list: readonly ChatMessage[]): number {
  let upTo = 0;
  for (const m of list) {
    if (m.seq === upTo + 1) upTo = m.seq;
    else if (m.seq > upTo + 1) break;
  }
  return upTo;
}

/** Outbox items not yet confirmed by the server (an item whose message arrived is done). */
export function pendingOnly(outbox: readonly OutboxItem[], messages: readonly ChatMessage[]): OutboxItem[] {
  const done = new Set(messages.map((m) => m.clientMsgId));
  return outbox.filter((o) => !done.has(o.clientMsgId));
}

export function transcript(
  conversation: VisitorConversation | null,
  messages: readonly ChatMessage[],
  outbox: readonly OutboxItem[],
  sendingId: string | null,
): Line[] {
  const readSeq = conversation?.readSeq ?? 0;
  const lines: Line[] = messages.map((m) => ({
    key: `s${m.seq}`,
    sender: m.sender,
    ...(m.senderName ? { senderName: m.senderName } : {}),
    body: m.body,
    ...(m.system ? { system: m.system } : {}),
    createdAt: m.createdAt,
    seq: m.seq,
    delivery: m.sender === 'visitor' ? (m.seq <= readSeq ? 'read' : 'delivered') : null,
  }));
  for (const o of pendingOnly(outbox, messages)) {
    if (conversation && o.conversationId !== conversation.id) continue;
    lines.push({
      key: `c${o.clientMsgId}`,
      sender: 'visitor',
      body: o.body,
      createdAt: o.createdAt,
      seq: null,
      delivery: o.failed ? 'failed' : o.clientMsgId === sendingId ? 'sending' : 'pending',
    });
  }
  return lines;
}

export const ENDED_STATES: readonly VisitorConversation['state'][] = ['wrapup', 'closed', 'abandoned'];
export const isEnded = (c: VisitorConversation | null): boolean => !!c && ENDED_STATES.includes(c.state);

export function newClientMsgId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Older browsers: a v4 UUID from getRandomValues.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
