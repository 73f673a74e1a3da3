// Inbound: what a channel adapter received becomes one call, `receive`, idempotent on the channel's own
// message id. The contact is found by the keyed hash of the channel's user id; its open conversation,
// or a new one queued and routed like any web chat; the message is stored by the conversation service.
import { and, eq, isNull } from 'drizzle-orm';
import type { Language } from '@helpline/shared';
import type { Db } from '../db/client.js';
import type { Clock } from '../infra/clock.js';
import { AppError } from '../http/errors.js';
import type { ConversationService } from '../conversations/service.js';
import type { ChannelKeys } from './crypto.js';
import type { OpenInbox } from './inboxes.js';
import { inboundMessages } from './tables.js';

export interface InboundMessage {
  externalUserId: string;
  externalMessageId: string;
  text: string;
  /** The language of a new conversation (an e-mail inbox's, or detected), if the channel knows it. */
  language?: Language;
}

export interface Received {
  conversationId: string;
  messageId: string;
  /** The same external message id was received before: nothing new was stored. */
  duplicate: boolean;
}

/** A first receipt still unfinished after this long crashed half way: the next one takes it over. */
const TAKE_OVER_AFTER_MS = 30_000;

export function createInbound(db: Db, deps: { conversations: ConversationService; keys: ChannelKeys; clock: Clock }) {
  // One contact's messages are taken in turn on this instance, so that two first messages at once open
  // one conversation, not two.
  const turns = new Map<string, Promise<unknown>>();
  function inTurn<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = turns.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const settled = run.catch(() => {});
    turns.set(key, settled);
    void settled.then(() => {
      if (turns.get(key) === settled) turns.delete(key);
    });
    return run;
  }

  async function store(inbox: OpenInbox, m: InboundMessage): Promise<Received> {
    const convs = deps.conversations;
    const contactId = await convs.contactFor(inbox.channel, inbox.id, deps.keys.contactHash(inbox.id, m.externalUserId));
    return inTurn(contactId, async () => {
      const open = await convs.currentForVisitor(contactId);
      const conversation = open ?? (await convs.start(contactId, { channel: inbox.channel, ...(m.language ? { language: m.language } : {}) })).conversation;
      // The external id is the message's identity in its conversation too: a taken-over receipt that
      // had stored it already gets the same message back.
      const msg = await convs.send({ type: 'visitor', visitorId: contactId }, { conversationId: conversation.id, clientMsgId: `ext:${m.externalMessageId}`, body: m.text });
      await db
        .update(inboundMessages)
        .set({ messageId: msg.id, conversationId: conversation.id })
        .where(and(eq(inboundMessages.inboxId, inbox.id), eq(inboundMessages.externalId, m.externalMessageId)));
      return { conversationId: conversation.id, messageId: msg.id, duplicate: false };
    });
  }

  return {
    async receive(inbox: OpenInbox, m: InboundMessage): Promise<Received> {
      if (!inbox.enabled) throw new AppError('inbox_disabled', 'This inbox is turned off');
      // The claim: the first receipt of an external id inserts its row; any later one finds it.
      const [claim] = await db.insert(inboundMessages).values({ inboxId: inbox.id, externalId: m.externalMessageId }).onConflictDoNothing().returning({ id: inboundMessages.id });
      if (!claim) {
        const [prior] = await db
          .select()
          .from(inboundMessages)
          .where(and(eq(inboundMessages.inboxId, inbox.id), eq(inboundMessages.externalId, m.externalMessageId)));
        if (prior?.messageId && prior.conversationId) return { conversationId: prior.conversationId, messageId: prior.messageId, duplicate: true };
        if (prior && deps.clock.now() - prior.createdAt.getTime() < TAKE_OVER_AFTER_MS) {
          throw new AppError('conflict', 'This message is being received: send it again in a moment', { retryable: true });
        }
      }
      try {
        return await store(inbox, m);
      } catch (err) {
        // Nothing stored: free the claim so that the sender's retry is taken at once.
        await db
          .delete(inboundMessages)
          .where(and(eq(inboundMessages.inboxId, inbox.id), eq(inboundMessages.externalId, m.externalMessageId), isNull(inboundMessages.messageId)))
          .catch(() => {});
        throw err;
      }
    },
  };
}
export type Inbound = ReturnType<typeof createInbound>;
