// Saved case records after the conversation: read one with its history, complete or correct it, and
// the follow-up reminders. Only the record's own counsellor or a supervisor (admins read no case).
// Every read and change is audited; the history and the audit keep which fields changed, never the
// words (the summary holds what a child told).
import { and, asc, desc, eq, isNotNull, isNull, lte } from 'drizzle-orm';
import { type CaseChange, type CaseDetailResponse, type CaseRecord, type CaseRecordInput, type StaffRole } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { AuditService } from '../audit/service.js';
import { caseChanges, caseRecords } from './tables.js';
import { columns, toCaseRecord } from './service.js';

export interface Caller {
  id: string;
  role: StaffRole;
}

/** The fields a counsellor edits, as stored; compared one by one to name what changed. */
const EDITABLE = ['contactType', 'ageGroup', 'gender', 'categories', 'platform', 'riskLevel', 'summary', 'outcome', 'followUpOn'] as const;
type Editable = (typeof EDITABLE)[number];

function columnsOf(input: CaseRecordInput, followUpOn: string | null) {
  return { ...columns(input), followUpOn };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function createCaseRecords(db: Db, deps: { audit: AuditService; staffNames: (ids: string[]) => Promise<Map<string, string>>; today: () => Promise<string> }) {
  /** The record, if the caller may see it: her own, or any for a supervisor. Another's is `forbidden`. */
  async function mine(caller: Caller, id: string) {
    const [row] = await db.select().from(caseRecords).where(eq(caseRecords.id, id));
    if (!row) throw new AppError('not_found', 'No such case record');
    if (caller.role !== 'supervisor' && row.staffId !== caller.id) throw new AppError('forbidden', 'Not your case');
    return row;
  }

  async function history(caseId: string): Promise<CaseChange[]> {
    const rows = await db.select().from(caseChanges).where(eq(caseChanges.caseId, caseId)).orderBy(desc(caseChanges.at));
    const names = await deps.staffNames([...new Set(rows.map((r) => r.staffId))]);
    return rows.map((r) => ({ staffName: names.get(r.staffId) ?? null, fields: r.fields, at: r.at.toISOString() }));
  }

  return {
    async read(caller: Caller, id: string): Promise<CaseDetailResponse> {
      const row = await mine(caller, id);
      await deps.audit.record({ actorType: 'staff', actorId: caller.id, action: 'case.read', targetType: 'case', targetId: row.id });
      return { caseRecord: toCaseRecord(row), history: await history(row.id) };
    },

    /** Completes or corrects the record; a new follow-up day opens the reminder again. */
    async update(caller: Caller, id: string, input: CaseRecordInput, followUpOn: string | null): Promise<CaseDetailResponse> {
      const row = await db.transaction(async (tx) => {
        const [before] = await tx.select().from(caseRecords).where(eq(caseRecords.id, id)).for('update');
        if (!before) throw new AppError('not_found', 'No such case record');
        if (caller.role !== 'supervisor' && before.staffId !== caller.id) throw new AppError('forbidden', 'Not your case');
        const next = columnsOf(input, followUpOn);
        const fields = EDITABLE.filter((f: Editable) => !same(before[f], next[f]));
        if (!fields.length) return before;
        const [after] = await tx
          .update(caseRecords)
          .set({ ...next, updatedAt: new Date(), ...(fields.includes('followUpOn') ? { followUpDoneAt: null } : {}) })
          .where(eq(caseRecords.id, id))
          .returning();
        await tx.insert(caseChanges).values({ caseId: id, staffId: caller.id, fields: [...fields] });
        await deps.audit.record({ actorType: 'staff', actorId: caller.id, action: 'case.update', targetType: 'case', targetId: id, meta: { fields: fields.join(',') } }, tx);
        return after!;
      });
      return { caseRecord: toCaseRecord(row), history: await history(row.id) };
    },

    async followUpDone(caller: Caller, id: string): Promise<CaseRecord> {
      const before = await mine(caller, id);
      if (!before.followUpOn) throw new AppError('invalid_state', 'No follow-up is set');
      if (before.followUpDoneAt) return toCaseRecord(before);
      const row = await db.transaction(async (tx) => {
        const [after] = await tx.update(caseRecords).set({ followUpDoneAt: new Date() }).where(and(eq(caseRecords.id, id), isNull(caseRecords.followUpDoneAt))).returning();
        await tx.insert(caseChanges).values({ caseId: id, staffId: caller.id, fields: ['followUpDone'] });
        await deps.audit.record({ actorType: 'staff', actorId: caller.id, action: 'case.followup_done', targetType: 'case', targetId: id }, tx);
        return after ?? before;
      });
      return toCaseRecord(row);
    },

    /** The caller's own follow-ups due today or earlier and not done, the oldest first. */
    async dueFollowUps(caller: Caller): Promise<{ cases: CaseRecord[]; today: string }> {
      const today = await deps.today();
      const rows = await db
        .select()
        .from(caseRecords)
        .where(and(eq(caseRecords.staffId, caller.id), isNotNull(caseRecords.followUpOn), isNull(caseRecords.followUpDoneAt), lte(caseRecords.followUpOn, today)))
        .orderBy(asc(caseRecords.followUpOn), asc(caseRecords.createdAt))
        .limit(200);
      return { cases: rows.map(toCaseRecord), today };
    },
  };
}
export type CaseRecords = ReturnType<typeof createCaseRecords>;
