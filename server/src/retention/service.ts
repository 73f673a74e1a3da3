// Retention and erasure. Each kind of data has its own retention period (centre settings `retention`):
// after it, what a person wrote or could identify them is deleted or blanked, while the anonymous rows
// that statistics count (conversation times, states, language, topic; case categories, age group,
// outcome; hotline classifications and actions) stay. The purge is idempotent: every step only touches
// rows not purged yet, so BullMQ's at-least-once delivery and several instances are harmless.
// Erasure removes one child's data at once (Art. 17 GDPR), found by their return code or visitor id.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { AuditService } from '../audit/service.js';
import type { SettingsService } from '../settings/service.js';
import type { NoteService } from '../notes/service.js';
// Each owner's part: retention asks the features for theirs and never touches their tables.
import { blankTranscripts, deleteVisitors, dueTranscripts, eraseTranscripts, lockVisitorConversations, orphanVisitors } from '../conversations/retention.js';
import { blankSummariesBefore, blankSummariesOf, deleteReturnCodes } from '../cases/retention.js';
import { blankReportsBefore } from '../hotline/retention.js';
import { blankOfflineMessagesBefore } from '../widget/retention.js';
import { deleteAuditEventsBefore } from '../audit/retention.js';
import { deleteChannelRecordsOf } from '../channels/retention.js';

const DAY = 86_400_000;
const CHUNK = 5000;

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

export function createRetentionService(deps: {
  db: Db;
  settings: SettingsService;
  audit: AuditService;
  notes: Pick<NoteService, 'deleteFor'>;
  log: FastifyBaseLogger;
  /** Transcripts per transaction, and the pause after each batch as a multiple of its time. */
  batch?: { size: number; pauseRatio: number };
}) {
  const { db } = deps;
  const batch = deps.batch ?? { size: 25, pauseRatio: 2 };

  /** One batch of transcripts due: words, notes, a channel's records (an e-mail's address) and the visitor link go together. */
  async function purgeTranscripts(cutoff: Date): Promise<number> {
    return db.transaction(async (tx) => {
      const ids = await dueTranscripts(tx, cutoff, batch.size);
      await deps.notes.deleteFor(tx, ids);
      await deleteChannelRecordsOf(tx, ids);
      await blankTranscripts(tx, ids);
      return ids.length;
    });
  }

  const service = {
    /** One purge run; returns what it changed. Safe to run any number of times. */
    async purge(now = new Date()): Promise<PurgeCounts> {
      const r = await deps.settings.get('retention');
      // A period below one day is a mistake in the settings, never a request to purge everything now.
      const before = (days: number) => new Date(now.getTime() - Math.max(1, days) * DAY);
      // Short transactions, each followed by a pause in proportion to its time: a year of transcripts
      // is millions of rows, and live chats write to the same database meanwhile (pnpm bench data
      // measures their latency during the purge).
      let transcripts = 0;
      for (;;) {
        const started = performance.now();
        const n = await purgeTranscripts(before(r.transcriptDays));
        transcripts += n;
        if (n < batch.size) break;
        if (batch.pauseRatio > 0) await new Promise((resolve) => setTimeout(resolve, (performance.now() - started) * batch.pauseRatio));
      }
      // Visitors left with no conversation are only a token hash: remove them and their return codes.
      // In chunks: a year of them is more ids than one statement may bind (65,535 parameters).
      const orphans = await orphanVisitors(db, before(r.transcriptDays));
      for (let i = 0; i < orphans.length; i += CHUNK) {
        const chunk = orphans.slice(i, i + CHUNK);
        const kept = await deleteReturnCodes(db, chunk, before(r.transcriptDays));
        await deleteVisitors(db, chunk.filter((v) => !kept.has(v)));
      }
      const offline = await blankOfflineMessagesBefore(db, before(r.transcriptDays));
      const cases = await blankSummariesBefore(db, before(r.caseRecordDays), now);
      const reports = await blankReportsBefore(db, before(r.hotlineReportDays), now);
      const audit = await deleteAuditEventsBefore(db, before(r.auditDays));
      const counts: PurgeCounts = { transcripts, offlineMessages: offline, caseRecords: cases, hotlineReports: reports, auditEvents: audit };
      if (Object.values(counts).some((n) => n > 0)) {
        await deps.audit.record({ actorType: 'system', action: 'retention.purge', targetType: 'retention', targetId: null, meta: { ...counts } });
      }
      deps.log.info({ ...counts }, 'retention purge');
      return counts;
    },

    /** Erase one child's data: messages, notes, case texts, return codes, the visitor itself. */
    async eraseVisitor(visitorId: string, by: { staffId: string }): Promise<ErasureCounts> {
      const counts = await db.transaction(async (tx) => {
        const convs = await lockVisitorConversations(tx, visitorId);
        if (convs.some((c) => ['waiting', 'offered', 'active'].includes(c.state))) throw new AppError('invalid_state', 'The child has an open conversation: end it first');
        const ids = convs.map((c) => c.id);
        await deps.notes.deleteFor(tx, ids);
        const cases = await blankSummariesOf(tx, ids, new Date());
        await deleteChannelRecordsOf(tx, ids);
        const msgs = await eraseTranscripts(tx, ids);
        await deleteReturnCodes(tx, [visitorId]);
        const gone = await deleteVisitors(tx, [visitorId]);
        if (!gone && !ids.length) throw new AppError('not_found', 'No data for this child');
        await deps.audit.record({ actorType: 'staff', actorId: by.staffId, action: 'privacy.erase', targetType: 'visitor', targetId: visitorId, meta: { conversations: ids.length, messages: msgs, caseRecords: cases } }, tx);
        return { conversations: ids.length, messages: msgs, caseRecords: cases };
      });
      return counts;
    },
  };
  return service;
}
export type RetentionService = ReturnType<typeof createRetentionService>;
