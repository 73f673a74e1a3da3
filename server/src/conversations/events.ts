// What the conversation service tells the features that depend on it (routing, metrics), without
// knowing them: they subscribe when they are built, so the dependency runs one way. Listeners are
// awaited in order, so a child's start returns only after routing has taken it in, as before.
import type { ChatMessage } from '@helpline/shared';
import type { WrittenConversation } from './message-writer.js';
import type { conversations } from './tables.js';

export interface ConversationEventMap {
  /** A new conversation is waiting. */
  enqueued: [conversationId: string];
  /** A visitor's message was stored (risk detection). */
  'visitor-message': [conversation: WrittenConversation, body: string];
  /** A message was stored (metrics). */
  stored: [sender: ChatMessage['sender']];
  /**
   * A staff message was stored, or sent again (a resend): the channels' outbox takes it before the
   * sender's acknowledgement, so an acknowledged message on another channel always has its delivery.
   */
  'staff-message': [conversation: WrittenConversation, message: ChatMessage];
  /** A conversation's state changed and was published (the channels tell their contacts it ended). */
  published: [conversation: typeof conversations.$inferSelect];
  /** The assigned counsellor typed or read (the messaging apps show it to the person where they can). Not awaited by the sender. */
  'staff-activity': [conversation: typeof conversations.$inferSelect, activity: 'typing' | 'read'];
}

type Listener<A extends unknown[]> = (...args: A) => Promise<void> | void;

export function createConversationEvents() {
  const listeners: { [K in keyof ConversationEventMap]: Listener<ConversationEventMap[K]>[] } = { enqueued: [], 'visitor-message': [], stored: [], 'staff-message': [], published: [], 'staff-activity': [] };
  return {
    on<K extends keyof ConversationEventMap>(event: K, listener: Listener<ConversationEventMap[K]>): void {
      listeners[event].push(listener);
    },
    async emit<K extends keyof ConversationEventMap>(event: K, ...args: ConversationEventMap[K]): Promise<void> {
      for (const l of listeners[event]) await l(...args);
    },
  };
}
export type ConversationEvents = ReturnType<typeof createConversationEvents>;
