// The channels feature's part of retention and erasure (retention/service.ts runs every owner's part):
// an e-mail conversation's mails keep the correspondent's sealed address, the subject, the receiving
// server's Authentication-Results and the names of files; they go in the same transaction as the
// transcript's words, batch by batch (and a mail taken again later, after a new UIDVALIDITY, is not
// recorded again on its purged conversation: intake.ts). A messaging app's sealed address is the contact's
// (app_contacts, keyed by visitor): it goes with the visitor, whom the purge removes once no
// conversation is left to them.
import { and, inArray, isNotNull } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { emailMessages } from './email/tables.js';
import { deliveries } from './tables.js';

/**
 * The mails of these conversations, in and out (a reply that arrives later begins a new thread), and
 * the outbox's last error words of their deliveries: a mail server's refusal quotes the address
 * ("550 <child@example.org>: no such user"). The delivery's state and attempts stay.
 */
export async function deleteChannelRecordsOf(tx: DbOrTx, conversationIds: string[]): Promise<number> {
  if (!conversationIds.length) return 0;
  await tx.update(deliveries).set({ lastError: null }).where(and(inArray(deliveries.conversationId, conversationIds), isNotNull(deliveries.lastError)));
  return (await tx.delete(emailMessages).where(inArray(emailMessages.conversationId, conversationIds)).returning({ id: emailMessages.id })).length;
}
