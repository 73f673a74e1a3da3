// Claims: an analyst takes a report before assessing it, so no two assess the same report at once.
// Taking, keeping and handing over are compare-and-sets on the report's row; the claim lapses
// HOTLINE_CLAIM_MINUTES after the holder's last step, so a report held by someone who left is free again.
import { and, eq, gt, isNull, lt, ne, or } from 'drizzle-orm';
import type { HotlineClaim, HotlineReportDetail } from '@helpline/shared';
import type { Db, DbOrTx } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { AuditService } from '../audit/service.js';
import { hotlineReports } from './tables.js';
import type { ReportRow } from './views.js';
import type { Viewer } from './service.js';

export interface ClaimContext {
  ttlMs: number;
  /** Staff names by id (the auth service's directory). */
  names(ids: string[]): Promise<Map<string, string>>;
  now(): Date;
}

/** The live claim of a report, or null (none, lapsed, or the report is closed). */
export function claimOf(r: Pick<ReportRow, 'claimedBy' | 'claimedAt' | 'status'>, ctx: Pick<ClaimContext, 'ttlMs' | 'now'>, names: Map<string, string>): HotlineClaim | null {
  if (!r.claimedBy || !r.claimedAt || r.status === 'closed') return null;
  const lapses = r.claimedAt.getTime() + ctx.ttlMs;
  if (lapses <= ctx.now().getTime()) return null;
  return { staffId: r.claimedBy, name: names.get(r.claimedBy) ?? '', at: r.claimedAt.toISOString(), lapsesAt: new Date(lapses).toISOString() };
}

export function createClaims(
  db: Db,
  deps: { audit: AuditService; ctx: ClaimContext; getRow(id: string, tx?: DbOrTx): Promise<ReportRow>; isAnalyst(id: string): Promise<boolean>; detail(id: string, v: Viewer): Promise<HotlineReportDetail> },
) {
  const lapsedBefore = () => new Date(deps.ctx.now().getTime() - deps.ctx.ttlMs);

  /** Why a claim was refused, as the typed error the console shows. */
  async function refusal(reportId: string, tx: DbOrTx = db): Promise<never> {
    const r = await deps.getRow(reportId, tx);
    if (r.status === 'closed') throw new AppError('invalid_state', 'The report is closed');
    throw new AppError('not_claimed', 'Another analyst holds this report');
  }

  return {
    /**
     * An analyst takes a free (or lapsed, or their own) report; a supervisor or admin hands it to an
     * analyst whoever holds it (reassigning).
     */
    async claim(reportId: string, v: Viewer, staffId?: string): Promise<HotlineReportDetail> {
      const supervising = v.role === 'supervisor' || v.role === 'admin';
      if (!supervising && v.role !== 'analyst') throw new AppError('forbidden', 'Only analysts hold reports');
      if (!supervising && staffId && staffId !== v.id) throw new AppError('forbidden', 'Only a supervisor hands a report to another analyst');
      const to = staffId ?? v.id;
      if (supervising && !staffId) throw new AppError('invalid_payload', 'Whom to give the report to', { fields: [{ path: 'staffId', message: 'required' }] });
      if (supervising && !(await deps.isAnalyst(to))) throw new AppError('invalid_payload', 'Not an active analyst', { fields: [{ path: 'staffId', message: 'not an active analyst' }] });
      await db.transaction(async (tx) => {
        const before = await deps.getRow(reportId, tx);
        const now = deps.ctx.now();
        const free = or(isNull(hotlineReports.claimedBy), eq(hotlineReports.claimedBy, to), lt(hotlineReports.claimedAt, lapsedBefore()));
        const [row] = await tx
          .update(hotlineReports)
          .set({ claimedBy: to, claimedAt: now })
          .where(and(eq(hotlineReports.id, reportId), ne(hotlineReports.status, 'closed'), ...(supervising ? [] : [free!])))
          .returning();
        if (!row) await refusal(reportId, tx);
        const live = claimOf(before, deps.ctx, new Map());
        const from = live?.staffId ?? null;
        await deps.audit.record(
          { actorType: 'staff', actorId: v.id, action: supervising ? 'hotline.report.reassign' : 'hotline.report.claim', targetType: 'hotline_report', targetId: reportId, meta: { from, to, ...(before.claimedBy && !live ? { lapsed: before.claimedBy } : {}) } },
          tx,
        );
      });
      return deps.detail(reportId, v);
    },

    /** The holder lets go (or a supervisor frees it). */
    async release(reportId: string, v: Viewer): Promise<HotlineReportDetail> {
      const supervising = v.role === 'supervisor' || v.role === 'admin';
      await db.transaction(async (tx) => {
        const [row] = await tx
          .update(hotlineReports)
          .set({ claimedBy: null, claimedAt: null })
          .where(and(eq(hotlineReports.id, reportId), ...(supervising ? [] : [eq(hotlineReports.claimedBy, v.id)])))
          .returning({ id: hotlineReports.id });
        if (!row) await refusal(reportId, tx);
        await deps.audit.record({ actorType: 'staff', actorId: v.id, action: 'hotline.report.release', targetType: 'hotline_report', targetId: reportId, meta: {} }, tx);
      });
      return deps.detail(reportId, v);
    },

    /**
     * In the transaction of an analyst's step: the step goes ahead only while `v` holds the live claim,
     * which it renews (compare-and-set: a reassignment meanwhile makes it fail).
     */
    async requireClaim(tx: DbOrTx, reportId: string, v: Viewer): Promise<void> {
      const [row] = await tx
        .update(hotlineReports)
        .set({ claimedAt: deps.ctx.now() })
        .where(and(eq(hotlineReports.id, reportId), eq(hotlineReports.claimedBy, v.id), gt(hotlineReports.claimedAt, lapsedBefore())))
        .returning({ id: hotlineReports.id });
      if (!row) throw new AppError('not_claimed', 'Claim the report before assessing it');
    },
  };
}
export type HotlineClaims = ReturnType<typeof createClaims>;
