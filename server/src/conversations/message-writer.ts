// Group commit for chat messages. Concurrent sends are gathered while the previous batch commits and
// written together in ONE transaction: the conversations concerned are locked (FOR UPDATE, in id order),
// resends are answered with the stored message, each conversation's counter advances by the number of
// its new messages, and every new message is inserted in one multi-row INSERT. One commit (one WAL
// flush at safe durability settings) then covers the whole batch, instead of one per message.
// Invariants kept: a caller's promise settles only after the commit; seqs stay gapless per conversation
// (counter and inserts in the same transaction, under the row lock); (conversation, clientMsgId) is the
// identity; state and assignment are re-checked under the lock and refused per request with typed errors.
import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { ConversationState, MessageSender } from '@helpline/shared';
import type { Db, Tx } from '../db/client.js';
import { AppError } from '../http/errors.js';
import { conversations, messages } from './tables.js';

type MessageRow = typeof messages.$inferSelect;
type ConversationRow = typeof conversations.$inferSelect;

export interface WriteRequest {
  conversationId: string;
  clientMsgId: string;
  sender: MessageSender;
  senderStaffId: string | null;
  body: string;
  /** States of the conversation in which this sender may write. */
  allowed: readonly ConversationState[];
  /** Staff who are not supervisors must still be the assignee under the lock. */
  requireAssignee?: string;
  /** Checked first, under the lock: may this sender write here at all (before a resend is answered)? */
  authorize?: (c: ConversationRow) => AppError | null;
}

export interface WriteResult {
  message: MessageRow;
  /** The conversation as locked in the batch (lastSeq as after the batch). */
  conversation: ConversationRow;
  /** True when the message existed already (a resend). */
  existing: boolean;
}

interface Pending {
  req: WriteRequest;
  resolve(r: WriteResult): void;
  reject(e: unknown): void;
}

export function createMessageWriter(db: Db, opts: { maxBatch?: number; concurrency?: number } = {}) {
  const maxBatch = opts.maxBatch ?? 500;
  // A few batches may commit at once (each locks its conversations in id order, so two batches that
  // share a conversation serialise on its row lock and never deadlock); at low load every message is a
  // batch of one and waits for nobody, at high load the batches grow.
  const concurrency = opts.concurrency ?? 4;
  let queue: Pending[] = [];
  let inFlight = 0;

  async function writeBatch(tx: Tx, batch: Pending[]): Promise<Map<Pending, WriteResult | AppError>> {
    const out = new Map<Pending, WriteResult | AppError>();
    const ids = [...new Set(batch.map((p) => p.req.conversationId))].sort();
    const locked = await tx.select().from(conversations).where(inArray(conversations.id, ids)).orderBy(conversations.id).for('update');
    const convs = new Map(locked.map((c) => [c.id, c]));
    const keyOf = (conversationId: string, clientMsgId: string) => `${conversationId}\u0000${clientMsgId}`;
    const stored = await tx
      .select()
      .from(messages)
      .where(or(...batch.map((p) => and(eq(messages.conversationId, p.req.conversationId), eq(messages.clientMsgId, p.req.clientMsgId)))));
    const byKey = new Map<string, MessageRow>(stored.map((m) => [keyOf(m.conversationId, m.clientMsgId), m]));
    // Requests of this batch that repeat an earlier one of the same batch share its result.
    const firstOfKey = new Map<string, Pending>();
    const fresh: { p: Pending; seq: number }[] = [];
    const dupes: [Pending, Pending][] = [];
    for (const p of batch) {
      const r = p.req;
      const c = convs.get(r.conversationId);
      if (!c) {
        out.set(p, new AppError('not_found', 'No such conversation'));
        continue;
      }
      const denied = r.authorize?.(c) ?? null;
      if (denied) {
        out.set(p, denied);
        continue;
      }
      const key = keyOf(r.conversationId, r.clientMsgId);
      const old = byKey.get(key);
      if (old) {
        out.set(p, { message: old, conversation: c, existing: true });
        continue;
      }
      const first = firstOfKey.get(key);
      if (first) {
        dupes.push([p, first]);
        continue;
      }
      if (!r.allowed.includes(c.state)) {
        out.set(p, new AppError('invalid_state', `The conversation is ${c.state}`));
        continue;
      }
      if (r.requireAssignee && c.assignedStaffId !== r.requireAssignee) {
        out.set(p, new AppError('forbidden', 'This conversation is not assigned to you'));
        continue;
      }
      c.lastSeq += 1;
      firstOfKey.set(key, p);
      fresh.push({ p, seq: c.lastSeq });
    }
    if (fresh.length) {
      const rows = await tx
        .insert(messages)
        .values(
          fresh.map(({ p, seq }) => ({
            conversationId: p.req.conversationId,
            seq,
            clientMsgId: p.req.clientMsgId,
            sender: p.req.sender,
            senderStaffId: p.req.senderStaffId,
            body: p.req.body,
          })),
        )
        .returning();
      const bySeq = new Map(rows.map((m) => [`${m.conversationId}:${m.seq}`, m]));
      const advanced = [...new Set(fresh.map((f) => f.p.req.conversationId))].map((id) => convs.get(id)!);
      // One statement advances every counter touched by the batch to its new value.
      await tx.execute(sql`update ${conversations} set last_seq = v.seq from (values ${sql.join(
        advanced.map((c) => sql`(${c.id}::uuid, ${c.lastSeq}::int)`),
        sql`, `,
      )}) as v(id, seq) where ${conversations.id} = v.id`);
      for (const { p, seq } of fresh) {
        out.set(p, { message: bySeq.get(`${p.req.conversationId}:${seq}`)!, conversation: convs.get(p.req.conversationId)!, existing: false });
      }
    }
    for (const [p, first] of dupes) {
      const r = out.get(first)!;
      out.set(p, r instanceof AppError ? r : { ...r, existing: true });
    }
    return out;
  }

  async function run(batch: Pending[]): Promise<void> {
    try {
      const results = await db.transaction((tx) => writeBatch(tx, batch));
      for (const p of batch) {
        const r = results.get(p)!;
        if (r instanceof AppError) p.reject(r);
        else p.resolve(r);
      }
    } catch (err) {
      // A batch fails as a whole (e.g. a race with another instance on a clientMsgId): retry its
      // requests one by one so one bad request cannot fail the others; a single one reports its error.
      if (batch.length === 1) batch[0]!.reject(err);
      else for (const p of batch) await run([p]);
    }
  }

  async function flush(): Promise<void> {
    if (inFlight >= concurrency) return;
    inFlight++;
    try {
      while (queue.length) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        await run(batch);
      }
    } finally {
      inFlight--;
    }
  }

  return {
    /** Resolves after the transaction holding this message has committed. */
    write(req: WriteRequest): Promise<WriteResult> {
      return new Promise<WriteResult>((resolve, reject) => {
        queue.push({ req, resolve, reject });
        void flush();
      });
    },
  };
}
export type MessageWriter = ReturnType<typeof createMessageWriter>;
