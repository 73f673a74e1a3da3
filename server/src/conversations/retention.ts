// The conversations feature's part of retention and erasure (retention/service.ts runs the parts of
// every owner in one order): transcripts lose their words, visitors their link, nothing else.
import { and, eq, inArray, isNotNull, ne, or, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { execRows } from '../db/client.js';
import { conversations, messages, visitors } from './tables.js';

/**
 * Closed conversations ended before the cut-off whose transcript is not purged yet, oldest first. The
 * purge marks each one it blanks (transcript_purged_at), so the partial index holds only those still
 * due: a batch costs the same after four years of purged transcripts as on the first day. Locked, and
 * skipping what another instance's purge holds: two purges never blank the same batch twice.
 */
export async function dueTranscripts(tx: DbOrTx, cutoff: Date, limit = 1000): Promise<string[]> {
  const due = await execRows<{ id: string }>(
    tx,
    sql`select c.id from conversations c
        where c.transcript_purged_at is null and c.state in ('closed', 'abandoned') and coalesce(c.closed_at, c.ended_at, c.created_at) < ${cutoff.toISOString()}
        order by coalesce(c.closed_at, c.ended_at, c.created_at)
        limit ${limit}
        for update of c skip locked`,
  );
  return due.map((r) => r.id);
}

/** The sequence stays (counts, response times); the words and the visitor link go, and the mark is set. */
export async function blankTranscripts(tx: DbOrTx, ids: string[]): Promise<void> {
  if (!ids.length) return;
  await tx
    .update(messages)
    .set({ body: '', systemParams: null })
    .where(and(inArray(messages.conversationId, ids), or(ne(messages.body, ''), isNotNull(messages.systemParams))));
  await tx.update(conversations).set({ visitorId: null, transcriptPurgedAt: sql`now()` }).where(inArray(conversations.id, ids));
}

/** Visitors created before the cut-off with no conversation left: only a token hash. */
export async function orphanVisitors(tx: DbOrTx, before: Date): Promise<string[]> {
  const rows = await execRows<{ id: string }>(
    tx,
    sql`select v.id from visitors v where v.created_at < ${before.toISOString()}
        and not exists (select 1 from conversations c where c.visitor_id = v.id)`,
  );
  return rows.map((r) => r.id);
}

export async function deleteVisitors(tx: DbOrTx, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  return (await tx.delete(visitors).where(inArray(visitors.id, ids)).returning({ id: visitors.id })).length;
}

/** Erasure: the child's conversations, locked; refused while one is open. */
export async function lockVisitorConversations(tx: DbOrTx, visitorId: string): Promise<{ id: string; state: string }[]> {
  return tx.select({ id: conversations.id, state: conversations.state }).from(conversations).where(eq(conversations.visitorId, visitorId)).for('update');
}

/** Erasure: the messages go entirely, and the conversations keep only their anonymous figures. */
export async function eraseTranscripts(tx: DbOrTx, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  const n = (await tx.delete(messages).where(inArray(messages.conversationId, ids)).returning({ id: messages.id })).length;
  await tx.update(conversations).set({ visitorId: null, transcriptPurgedAt: sql`now()` }).where(inArray(conversations.id, ids));
  return n;
}
