// The cases feature's part of retention and erasure: case summaries are blanked (their categories stay
// for the statistics), return codes of visitors who are gone are deleted.
import { and, inArray, lt, ne } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { caseRecords, returnCodes } from './tables.js';

export async function blankSummariesBefore(tx: DbOrTx, cutoff: Date, now: Date): Promise<number> {
  const rows = await tx
    .update(caseRecords)
    .set({ summary: '', updatedAt: now })
    .where(and(lt(caseRecords.createdAt, cutoff), ne(caseRecords.summary, '')))
    .returning({ id: caseRecords.id });
  return rows.length;
}

export async function blankSummariesOf(tx: DbOrTx, conversationIds: string[], now: Date): Promise<number> {
  if (!conversationIds.length) return 0;
  const rows = await tx.update(caseRecords).set({ summary: '', updatedAt: now }).where(inArray(caseRecords.conversationId, conversationIds)).returning({ id: caseRecords.id });
  return rows.length;
}

/** Deletes the visitors' return codes (created before `before`, when given); returns who still has one. */
export async function deleteReturnCodes(tx: DbOrTx, visitorIds: string[], before?: Date): Promise<Set<string>> {
  if (!visitorIds.length) return new Set();
  await tx.delete(returnCodes).where(and(inArray(returnCodes.visitorId, visitorIds), ...(before ? [lt(returnCodes.createdAt, before)] : [])));
  const left = await tx.select({ visitorId: returnCodes.visitorId }).from(returnCodes).where(inArray(returnCodes.visitorId, visitorIds));
  return new Set(left.map((r) => r.visitorId));
}
