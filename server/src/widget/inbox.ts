// The staff side of leave-a-message: an inbox of what children left, oldest first, where one person
// claims a message while answering it. Claim, release and answer are compare-and-set updates, so two
// counsellors clicking at once get one winner and one typed error. A claim lapses after `claimMs`
// (read lazily from claimed_at, so nothing is ever stuck on a lost timer); the lapse is also announced
// by a delayed job so that counts in open consoles move on time. Listing never returns what the child
// wrote: opening a message does, and that read is audited.
import { and, asc, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type {
  Language,
  OfflineInboxCounts,
  OfflineMessageChanged,
  OfflineMessageState,
  StaffOfflineMessage,
  StaffOfflineMessageSummary,
  StaffProfile,
} from '@helpline/shared';
import type { Db } from '../db/client.js';
import { execRows } from '../db/client.js';
import type { AuditService } from '../audit/service.js';
import type { Jobs } from '../infra/jobs.js';
import type { FastifyBaseLogger } from 'fastify';
import { AppError, loggableError } from '../http/errors.js';
import { offlineMessages } from './tables.js';

export type InboxFilter = 'open' | OfflineMessageState | 'all';
type Staff = Pick<StaffProfile, 'id' | 'role' | 'languages'>;
type Row = typeof offlineMessages.$inferSelect;

export interface InboxDeps {
  audit: AuditService;
  jobs: Jobs;
  claimMs: number;
  log: FastifyBaseLogger;
  /** Told of every change (the board, the consoles). */
  publish(e: OfflineMessageChanged): void;
  now?: () => Date;
  /** Claimers' and answerers' names are the staff accounts' (auth's). */
  staffNames(ids: string[]): Promise<Map<string, string>>;
}

export const CLAIM_EXPIRY_JOB = 'offline-claim-expiry';
/** The job runs just past the lapse, so the counts it sends already show it. */
const LAPSE_MARGIN_MS = 250;

export function createOfflineInbox(db: Db, deps: InboxDeps) {
  const now = deps.now ?? (() => new Date());
  const cutoff = (at: Date) => new Date(at.getTime() - deps.claimMs);
  const t = offlineMessages;
  /** New, or claimed so long ago that the claim has lapsed. */
  const waitingCond = (at: Date): SQL => or(eq(t.status, 'new'), and(eq(t.status, 'claimed'), lt(t.claimedAt, cutoff(at))))!;

  function stateOf(r: Row, at: Date): OfflineMessageState {
    return r.status === 'claimed' && r.claimedAt && r.claimedAt < cutoff(at) ? 'new' : r.status;
  }

  function summary(r: Row, names: { claimer: string | null; answerer: string | null }, at: Date): StaffOfflineMessageSummary {
    const state = stateOf(r, at);
    // A lapsed claim reads as 'new' but keeps its holder, who may still answer while nobody else took it.
    const claimed = r.status === 'claimed' && r.claimedAt;
    return {
      id: r.id,
      reference: r.reference,
      language: r.language,
      ageGroup: r.ageGroup,
      topic: r.topic,
      state,
      claimedBy: claimed ? r.claimedBy : null,
      claimedByName: claimed ? names.claimer : null,
      claimedAt: claimed ? r.claimedAt!.toISOString() : null,
      claimExpiresAt: claimed ? new Date(r.claimedAt!.getTime() + deps.claimMs).toISOString() : null,
      answeredBy: r.answeredBy,
      answeredByName: names.answerer,
      answeredAt: r.answeredAt?.toISOString() ?? null,
      pickedUpAt: r.pickedUpAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
    };
  }

  /** The rows with their claimers' and answerers' names. */
  async function withNames(rows: Row[]): Promise<{ m: Row; claimer: string | null; answerer: string | null }[]> {
    const names = await deps.staffNames([...new Set(rows.flatMap((r) => [r.claimedBy, r.answeredBy].filter((x): x is string => x !== null)))]);
    const name = (id: string | null) => (id ? (names.get(id) ?? null) : null);
    return rows.map((m) => ({ m, claimer: name(m.claimedBy), answerer: name(m.answeredBy) }));
  }

  async function full(id: string, at: Date): Promise<StaffOfflineMessage> {
    const [r] = await withNames(await db.select().from(t).where(eq(t.id, id)));
    if (!r) throw new AppError('not_found', 'No such message');
    return { ...summary(r.m, r, at), body: r.m.body, answer: r.m.answer };
  }

  async function counts(at = now()): Promise<OfflineInboxCounts> {
    const rows = await execRows<{ language: Language | null; waiting: number; claimed: number; oldest: Date | string | null }>(
      db,
      sql`select language,
                 count(*) filter (where status = 'new' or claimed_at < ${cutoff(at).toISOString()})::int as waiting,
                 count(*) filter (where status = 'claimed' and claimed_at >= ${cutoff(at).toISOString()})::int as claimed,
                 min(created_at) filter (where status = 'new' or claimed_at < ${cutoff(at).toISOString()}) as oldest
          from offline_messages where status in ('new', 'claimed') group by language`,
    );
    const out: OfflineInboxCounts = { waiting: 0, waitingByLanguage: {}, claimed: 0, oldestWaitingAt: null };
    let oldest: Date | null = null;
    for (const r of rows) {
      out.waiting += r.waiting;
      out.claimed += r.claimed;
      if (r.waiting) out.waitingByLanguage[r.language ?? 'none'] = r.waiting;
      const o = r.oldest === null ? null : new Date(r.oldest);
      if (o && (!oldest || o < oldest)) oldest = o;
    }
    out.oldestWaitingAt = oldest?.toISOString() ?? null;
    return out;
  }

  /** Best effort: the change is committed already, and a console that missed it re-reads on reconnect. */
  async function changed(id: string, change: OfflineMessageChanged['change'], language: Language | null): Promise<void> {
    try {
      const at = now();
      deps.publish({ id, change, language, counts: await counts(at), at: at.toISOString() });
    } catch (err) {
      deps.log.warn({ change, err: loggableError(err) }, 'offline inbox change not announced');
    }
  }

  /** Why a compare-and-set found nothing to change, as the error the caller should see. */
  async function refusal(id: string, staff: Staff, at: Date): Promise<AppError> {
    const [r] = await db.select().from(t).where(eq(t.id, id));
    if (!r) return new AppError('not_found', 'No such message');
    if (r.status === 'answered' || r.status === 'picked_up') return new AppError('invalid_state', 'This message has already been answered');
    if (r.status === 'claimed' && r.claimedBy !== staff.id && stateOf(r, at) === 'claimed') return new AppError('conflict', 'Someone else is answering this message');
    return new AppError('invalid_state', 'Take the message first');
  }

  return {
    counts,
    changed,

    /** The inbox, without bodies. 'open' (new and claimed) and 'new'/'claimed' oldest first, the rest newest first. */
    async list(staff: Staff, q: { state?: InboxFilter; languages?: 'mine' | 'all'; limit?: number }): Promise<StaffOfflineMessageSummary[]> {
      const at = now();
      const filter = q.state ?? 'open';
      const live = and(eq(t.status, 'claimed'), sql`${t.claimedAt} >= ${cutoff(at).toISOString()}`);
      const conds: (SQL | undefined)[] = [
        filter === 'open' ? inArray(t.status, ['new', 'claimed'])
        : filter === 'new' ? waitingCond(at)
        : filter === 'claimed' ? live
        : filter === 'all' ? undefined
        : eq(t.status, filter),
      ];
      // Counsellors see the messages they can answer: their languages, and those with none chosen.
      if ((q.languages ?? 'mine') === 'mine' && staff.languages.length) conds.push(or(inArray(t.language, staff.languages), isNull(t.language)));
      const oldestFirst = filter === 'open' || filter === 'new' || filter === 'claimed';
      const rows = await withNames(
        await db
          .select()
          .from(t)
          .where(and(...conds))
          .orderBy(oldestFirst ? asc(t.createdAt) : desc(t.createdAt))
          .limit(q.limit ?? 200),
      );
      return rows.map((r) => summary(r.m, r, at));
    },

    /** What the child wrote and the answer: every read is audited (who, when, which). */
    async read(staff: Staff, id: string): Promise<StaffOfflineMessage> {
      const m = await full(id, now());
      await deps.audit.record({ actorType: 'staff', actorId: staff.id, action: 'offline_message.read', targetType: 'offline_message', targetId: id });
      return m;
    },

    /** Take the message to answer it: a new one, a lapsed claim, or one's own (renewed). */
    async claim(staff: Staff, id: string): Promise<StaffOfflineMessage> {
      const at = now();
      const [row] = await db
        .update(t)
        .set({ status: 'claimed', claimedBy: staff.id, claimedAt: at })
        .where(and(eq(t.id, id), or(eq(t.status, 'new'), and(eq(t.status, 'claimed'), or(lt(t.claimedAt, cutoff(at)), eq(t.claimedBy, staff.id))))))
        .returning();
      if (!row) throw await refusal(id, staff, at);
      await deps.audit.record({ actorType: 'staff', actorId: staff.id, action: 'offline_message.claimed', targetType: 'offline_message', targetId: id });
      // The lapse is computed from claimed_at; this job only tells the open consoles when it happens.
      await deps.jobs.add('timers', CLAIM_EXPIRY_JOB, { id, claimedAt: at.toISOString() }, { jobId: `offclaim-${id}-${at.getTime()}`, delay: deps.claimMs + LAPSE_MARGIN_MS });
      await changed(id, 'claimed', row.language);
      return full(id, at);
    },

    /** Give the message back: its claimer, or a supervisor for anyone's claim. */
    async release(staff: Staff, id: string): Promise<StaffOfflineMessage> {
      const at = now();
      const mayRelease = staff.role === 'supervisor' ? undefined : eq(t.claimedBy, staff.id);
      const [row] = await db
        .update(t)
        .set({ status: 'new', claimedBy: null, claimedAt: null })
        .where(and(eq(t.id, id), eq(t.status, 'claimed'), mayRelease))
        .returning();
      if (!row) {
        const [r] = await db.select({ status: t.status }).from(t).where(eq(t.id, id));
        if (!r) throw new AppError('not_found', 'No such message');
        if (r.status === 'claimed') throw new AppError('forbidden', 'Only the one answering it or a supervisor may release it');
        throw new AppError('invalid_state', 'Nobody is answering this message');
      }
      await deps.audit.record({ actorType: 'staff', actorId: staff.id, action: 'offline_message.released', targetType: 'offline_message', targetId: id });
      await changed(id, 'released', row.language);
      return full(id, at);
    },

    /**
     * Answer once, only by the one who claimed it. A lapsed claim still lets its holder answer as long
     * as nobody else took the message meanwhile: the words written are not lost to a timer.
     */
    async answer(staff: Staff, id: string, answer: string): Promise<StaffOfflineMessage> {
      const at = now();
      const row = await db.transaction(async (tx) => {
        const [updated] = await tx
          .update(t)
          .set({ status: 'answered', answer, answeredBy: staff.id, answeredAt: at })
          .where(and(eq(t.id, id), eq(t.status, 'claimed'), eq(t.claimedBy, staff.id)))
          .returning();
        if (!updated) return null;
        await deps.audit.record({ actorType: 'staff', actorId: staff.id, action: 'offline_message.answered', targetType: 'offline_message', targetId: id }, tx);
        return updated;
      });
      if (!row) throw await refusal(id, staff, at);
      await changed(id, 'answered', row.language);
      return full(id, at);
    },

    /** The delayed job at a claim's end: announce the lapse if that very claim still holds. */
    async claimLapsed(id: string, claimedAt: string): Promise<void> {
      const [r] = await db.select({ status: t.status, claimedAt: t.claimedAt, language: t.language }).from(t).where(eq(t.id, id));
      if (!r || r.status !== 'claimed' || r.claimedAt?.toISOString() !== claimedAt) return;
      await changed(id, 'claim_expired', r.language);
    },
  };
}
export type OfflineInbox = ReturnType<typeof createOfflineInbox>;
