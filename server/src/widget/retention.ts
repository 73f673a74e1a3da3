// The widget feature's part of retention: left messages and their answers lose their words.
import { and, isNotNull, lt, ne, or } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { offlineMessages } from './tables.js';

export async function blankOfflineMessagesBefore(tx: DbOrTx, cutoff: Date): Promise<number> {
  const rows = await tx
    .update(offlineMessages)
    .set({ body: '', answer: null })
    .where(and(lt(offlineMessages.createdAt, cutoff), or(ne(offlineMessages.body, ''), isNotNull(offlineMessages.answer))))
    .returning({ id: offlineMessages.id });
  return rows.length;
}
