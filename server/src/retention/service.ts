// Retention and erasure. Each kind of data has its own retention period (centre settings `retention`):
// after it, what a person wrote or could identify them is deleted or blanked, while the anonymous rows
// that statistics count (conversation times, states, language, topic; case categories, age group,
// outcome; hotline classifications and actions) stay. The purge is idempotent: every step only touches
// rows not purged yet, so BullMQ's at-least-once delivery and several instances are harmless.
// Erasure removes one child's data at once (Art. 17 GDPR), found by their return code or visitor id.
import { and, eq, inArray, isNotNull, lt, ne, or, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.js';
import { execRows } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { AuditService } from '../audit/service.js';
import type { SettingsService } from '../settings/service.js';
import { conversationNotes, conversations, messages, visitors } from '../conversations/tables.js';
import { caseRecords, returnCodes } from '../cases/tables.js';
import { hotlineHistory, hotlineReports } from '../hotline/tables.js';
import { offlineMessages } from '../widget/tables.js';
import { auditEvents } from '../audit/tables.js';

const DAY = 86_400_000;

export interface PurgeCounts {
  transcripts: number;
  offlineMessages: number;
  caseRecords: number;
  hotlineReports: number;
  auditEvents: number;
}

export interface ErasureCounts {
  conversations: number;
  messages: number;
  caseRecords: number;
}

export function createRetentionService(deps: { db: Db; settings: SettingsService; audit: AuditService; log: FastifyBaseLogger }) {
  const { db } = deps;

  /** Conversations whose text is due: ended before the cut-off and still holding a message body or note. */
  async function purgeTranscripts(cutoff: Date): Promise<number> {
    return db.transaction(async (tx) => {
      const due = await execRows<{ id: string }>(
        tx,
        sql`select c.id from conversations c
            where c.state in ('closed', 'abandoned') and coalesce(c.closed_at, c.ended_at, c.created_at) < ${cutoff.toISOString()}
              and (exists (select 1 from messages m where m.conversation_id = c.id and m.body <> '')
                or exists (select 1 from conversation_notes n where n.conversation_id = c.id)
                or c.visitor_id is not null)
            limit 5000`,
      );
      if (!due.length) return 0;
      const ids = due.map((r) => r.id);
      // The sequence stays (counts, response times); the words go.
      await tx.update(messages).set({ body: '', systemParams: null }).where(inArray(messages.conversationId, ids));
      await tx.delete(conversationNotes).where(inArray(conversationNotes.conversationId, ids));
      await tx.update(conversations).set({ visitorId: null }).where(inArray(conversations.id, ids));
      return ids.length;
    });
  }

  const service = {
    /** One purge run; returns what it changed. Safe to run any number of times. */
    async purge(now = new Date()): Promise<PurgeCounts> {
      const r = await deps.settings.get('retention');
      // A period below one day is a mistake in the settings, never a request to purge everything now.
      const before = (days: number) => new Date(now.getTime() - Math.max(1, days) * DAY);
      let transcripts = 0;
      for (let n = await purgeTranscripts(before(r.transcriptDays)); n > 0; n = await purgeTranscripts(before(r.transcriptDays))) transcripts += n;
      // Visitors left with no conversation are only a token hash: remove them and their return codes.
      await db.execute(sql`delete from return_codes rc where not exists (select 1 from conversations c where c.visitor_id = rc.visitor_id)
        and rc.created_at < ${before(r.transcriptDays).toISOString()}`);
      await db.execute(sql`delete from visitors v where not exists (select 1 from conversations c where c.visitor_id = v.id)
        and not exists (select 1 from return_codes rc where rc.visitor_id = v.id) and v.created_at < ${before(r.transcriptDays).toISOString()}`);
      const offline = await db
        .update(offlineMessages)
        .set({ body: '', answer: null })
        .where(and(lt(offlineMessages.createdAt, before(r.transcriptDays)), or(ne(offlineMessages.body, ''), isNotNull(offlineMessages.answer))))
        .returning({ id: offlineMessages.id });
      const cases = await db
        .update(caseRecords)
        .set({ summary: '', updatedAt: now })
        .where(and(lt(caseRecords.createdAt, before(r.caseRecordDays)), ne(caseRecords.summary, '')))
        .returning({ id: caseRecords.id });
      const reportCut = before(r.hotlineReportDays);
      const reports = await db
        .update(hotlineReports)
        .set({ reporterEmail: null, description: null, whereFound: null, pickupHash: null, updatedAt: now })
        .where(
          and(
            lt(hotlineReports.createdAt, reportCut),
            or(isNotNull(hotlineReports.reporterEmail), isNotNull(hotlineReports.description), isNotNull(hotlineReports.whereFound), isNotNull(hotlineReports.pickupHash)),
          ),
        )
        .returning({ id: hotlineReports.id });
      if (reports.length) await db.update(hotlineHistory).set({ note: null }).where(inArray(hotlineHistory.reportId, reports.map((x) => x.id)));
      const audit = await db.delete(auditEvents).where(lt(auditEvents.at, before(r.auditDays))).returning({ id: auditEvents.id });
      const counts: PurgeCounts = { transcripts, offlineMessages: offline.length, caseRecords: cases.length, hotlineReports: reports.length, auditEvents: audit.length };
      if (Object.values(counts).some((n) => n > 0)) {
        await deps.audit.record({ actorType: 'system', action: 'retention.purge', targetType: 'retention', targetId: null, meta: { ...counts } });
      }
      deps.log.info({ ...counts }, 'retention purge');
      return counts;
    },

    /** Erase one child's data: messages, notes, case texts, return codes, the visitor itself. */
    async eraseVisitor(visitorId: string, by: { staffId: string }): Promise<ErasureCounts> {
      const counts = await db.transaction(async (tx) => {
        const convs = await tx.select({ id: conversations.id, state: conversations.state }).from(conversations).where(eq(conversations.visitorId, visitorId)).for('update');
        if (convs.some((c) => ['waiting', 'offered', 'active'].includes(c.state))) throw new AppError('invalid_state', 'The child has an open conversation: end it first');
        const ids = convs.map((c) => c.id);
        let msgs = 0;
        let cases = 0;
        if (ids.length) {
          msgs = (await tx.delete(messages).where(inArray(messages.conversationId, ids)).returning({ id: messages.id })).length;
          await tx.delete(conversationNotes).where(inArray(conversationNotes.conversationId, ids));
          cases = (await tx.update(caseRecords).set({ summary: '', updatedAt: new Date() }).where(inArray(caseRecords.conversationId, ids)).returning({ id: caseRecords.id })).length;
          await tx.update(conversations).set({ visitorId: null }).where(inArray(conversations.id, ids));
        }
        await tx.delete(returnCodes).where(eq(returnCodes.visitorId, visitorId));
        const gone = await tx.delete(visitors).where(eq(visitors.id, visitorId)).returning({ id: visitors.id });
        if (!gone.length && !ids.length) throw new AppError('not_found', 'No data for this child');
        await deps.audit.record({ actorType: 'staff', actorId: by.staffId, action: 'privacy.erase', targetType: 'visitor', targetId: visitorId, meta: { conversations: ids.length, messages: msgs, caseRecords: cases } }, tx);
        return { conversations: ids.length, messages: msgs, caseRecords: cases };
      });
      return counts;
    },
  };
  return service;
}
export type RetentionService = ReturnType<typeof createRetentionService>;
