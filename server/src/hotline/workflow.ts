// Analysts' work on a report: assessment URL by URL, host resolution (DNS only: nothing is fetched),
// forwarding actions with the four-eyes rule for the police, and the removal outcome.
import { lookup } from 'node:dns/promises';
import { and, eq } from 'drizzle-orm';
import type { HotlineActionInput, HotlineAssessmentInput, HotlineReportDetail, HotlineRouting, HotlineStatus } from '@helpline/shared';
import type { Db, DbOrTx } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { AuditService } from '../audit/service.js';
import { hotlineActions, hotlineUrls } from './tables.js';
import { earlierAssessment, type ReportRow } from './views.js';
import { memberHotline } from './member-hotlines.js';
import type { Viewer } from './service.js';

type Actor = { type: 'staff' | 'visitor' | 'system'; id: string | null };

export interface WorkflowDeps {
  audit: AuditService;
  transition(tx: DbOrTx, reportId: string, to: HotlineStatus, actor: Actor, note: string | null, extra?: Partial<ReportRow>): Promise<ReportRow>;
  getRow(id: string, tx?: DbOrTx): Promise<ReportRow>;
  feedback(reportId: string): Promise<void>;
  routing(): Promise<HotlineRouting>;
  /** Refuses (not_claimed) unless `v` holds the report's live claim, and renews it (claims.ts). */
  requireClaim(tx: DbOrTx, reportId: string, v: Viewer): Promise<void>;
  detail(id: string, v: Viewer): Promise<HotlineReportDetail>;
}

const DNS_TIMEOUT_MS = 3000;

/** The host's addresses, or none when DNS does not answer (offline, NXDOMAIN): never fatal. */
export async function resolveHost(host: string): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  let timer: NodeJS.Timeout | undefined;
  try {
    const res = await Promise.race([
      lookup(bare, { all: true }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('dns timeout')), DNS_TIMEOUT_MS);
      }),
    ]);
    return [...new Set(res.map((a) => a.address))];
  } catch {
    return [];
  } finally {
    clearTimeout(timer);
  }
}

export function createWorkflow(db: Db, deps: WorkflowDeps) {
  const staff = (v: Viewer): Actor => ({ type: 'staff', id: v.id });
  const detail = deps.detail;

  async function urlOf(tx: DbOrTx, reportId: string, urlId: string) {
    const [u] = await tx.select().from(hotlineUrls).where(and(eq(hotlineUrls.id, urlId), eq(hotlineUrls.reportId, reportId)));
    if (!u) throw new AppError('not_found', 'No such URL in this report');
    return u;
  }

  /** First done action moves an assessed report to forwarded; later ones only add to it. */
  async function markForwarded(tx: DbOrTx, reportId: string, v: Viewer, note: string): Promise<boolean> {
    const r = await deps.getRow(reportId, tx);
    if (r.status !== 'assessed') return false;
    await deps.transition(tx, reportId, 'forwarded', staff(v), note, { forwardedAt: r.forwardedAt ?? new Date() });
    return true;
  }

  /** One URL's assessment, by the claim's holder; the report moves on when all its URLs are assessed. */
  async function saveAssessment(reportId: string, urlId: string, v: Viewer, input: HotlineAssessmentInput, reused: { fromUrlId: string; ageDays: number } | null): Promise<HotlineReportDetail> {
    await db.transaction(async (tx) => {
      const r = await deps.getRow(reportId, tx);
      if (r.status === 'closed') throw new AppError('invalid_state', 'The report is closed');
      await urlOf(tx, reportId, urlId);
      await deps.requireClaim(tx, reportId, v);
      await tx
        .update(hotlineUrls)
        .set({
          classification: input.classification,
          victimAge: input.victimAge ?? null,
          victimGender: input.victimGender ?? null,
          siteType: input.siteType ?? null,
          hostingIp: input.hostingIp ?? null,
          hostingProvider: input.hostingProvider ?? null,
          hostingCountry: input.hostingCountry ?? null,
          assessedBy: v.id,
          assessedAt: new Date(),
          reusedFromUrlId: reused?.fromUrlId ?? null,
        })
        .where(eq(hotlineUrls.id, urlId));
      await deps.audit.record(
        {
          actorType: 'staff',
          actorId: v.id,
          action: reused ? 'hotline.url.apply_earlier' : 'hotline.url.assess',
          targetType: 'hotline_report',
          targetId: reportId,
          meta: { urlId, classification: input.classification, ...(reused ? { fromUrlId: reused.fromUrlId, ageDays: reused.ageDays } : {}) },
        },
        tx,
      );
      if (r.status === 'new') await deps.transition(tx, reportId, 'in_assessment', staff(v), null);
      const urls = await tx.select({ assessedAt: hotlineUrls.assessedAt }).from(hotlineUrls).where(eq(hotlineUrls.reportId, reportId));
      const cur = await deps.getRow(reportId, tx);
      if (cur.status === 'in_assessment' && urls.every((u) => u.assessedAt)) await deps.transition(tx, reportId, 'assessed', staff(v), null);
    });
    return detail(reportId, v);
  }

  return {
    assessUrl: (reportId: string, urlId: string, v: Viewer, input: HotlineAssessmentInput): Promise<HotlineReportDetail> => saveAssessment(reportId, urlId, v, input, null),

    /**
     * The analyst confirms the earlier assessment of the same URL they were shown (`fromUrlId`): it is
     * applied with its origin kept. Refused when a newer assessment appeared meanwhile (they saw another).
     */
    async applyEarlier(reportId: string, urlId: string, v: Viewer, fromUrlId: string): Promise<HotlineReportDetail> {
      const u = await urlOf(db, reportId, urlId);
      const e = await earlierAssessment(db, u);
      if (!e) throw new AppError('invalid_state', 'No earlier assessment of this URL');
      if (e.row.id !== fromUrlId) throw new AppError('conflict', 'A newer assessment of this URL exists: look at it first');
      const { classification, victimAge, victimGender, siteType, hostingIp, hostingProvider, hostingCountry } = e.row;
      if (!classification || !e.row.assessedAt) throw new AppError('invalid_state', 'No earlier assessment of this URL');
      const ageDays = Math.floor((Date.now() - e.row.assessedAt.getTime()) / 86_400_000);
      return saveAssessment(reportId, urlId, v, { classification, victimAge, victimGender, siteType, hostingIp, hostingProvider, hostingCountry }, { fromUrlId: e.row.reusedFromUrlId ?? e.row.id, ageDays });
    },

    async resolveUrlHost(reportId: string, urlId: string, v: Viewer): Promise<{ addresses: string[] }> {
      const u = await urlOf(db, reportId, urlId);
      const addresses = await resolveHost(u.host);
      await deps.audit.record({ actorType: 'staff', actorId: v.id, action: 'hotline.url.resolve', targetType: 'hotline_report', targetId: reportId, meta: { urlId, found: addresses.length } });
      return { addresses };
    },

    async addAction(reportId: string, v: Viewer, input: HotlineActionInput): Promise<HotlineReportDetail> {
      let receiver = input.receiver;
      let countryCode = input.countryCode ?? null;
      if (input.kind === 'inhope') {
        const member = memberHotline(input.receiver);
        if (!member) throw new AppError('invalid_payload', 'Unknown INHOPE member hotline', { fields: [{ path: 'receiver', message: 'not in the member list' }] });
        // The centre's own member hotline is this centre: content hosted here follows the national procedure.
        if (member.code === (await deps.routing()).nationalMemberCode) throw new AppError('invalid_payload', 'This centre is that member hotline', { fields: [{ path: 'receiver', message: 'the centre’s own member hotline' }] });
        receiver = member.code;
        countryCode = member.countryCode;
      }
      const police = input.kind === 'police';
      let forwarded = false;
      await db.transaction(async (tx) => {
        const r = await deps.getRow(reportId, tx);
        if (!['assessed', 'forwarded', 'content_removed'].includes(r.status)) throw new AppError('invalid_state', 'Assess the report before forwarding it');
        const [a] = await tx
          .insert(hotlineActions)
          .values({
            reportId,
            kind: input.kind,
            state: police ? 'pending_approval' : 'done',
            receiver,
            countryCode,
            receiverRef: input.receiverRef || null,
            sentAt: police ? null : input.sentAt ? new Date(input.sentAt) : new Date(),
            requestedBy: v.id,
          })
          .returning();
        await deps.audit.record({ actorType: 'staff', actorId: v.id, action: police ? 'hotline.action.request' : 'hotline.action.record', targetType: 'hotline_report', targetId: reportId, meta: { actionId: a!.id, kind: input.kind, receiver } }, tx);
        if (!police) forwarded = await markForwarded(tx, reportId, v, input.kind);
      });
      if (forwarded) await deps.feedback(reportId);
      return detail(reportId, v);
    },

    /** Four eyes: a supervisor or admin other than the requester approves a police referral. */
    async decideAction(actionId: string, v: Viewer, approve: boolean): Promise<HotlineReportDetail> {
      if (v.role !== 'supervisor' && v.role !== 'admin') throw new AppError('forbidden', 'Only a supervisor or admin approves police referrals');
      let forwarded = false;
      const reportId = await db.transaction(async (tx) => {
        const [a] = await tx.select().from(hotlineActions).where(eq(hotlineActions.id, actionId)).for('update');
        if (!a) throw new AppError('not_found', 'No such action');
        if (a.requestedBy === v.id) throw new AppError('forbidden', 'A second person must approve: you requested this referral');
        if (a.state !== 'pending_approval') throw new AppError('invalid_state', `The referral is already ${a.state}`);
        const now = new Date();
        await tx
          .update(hotlineActions)
          .set({ state: approve ? 'done' : 'rejected', approvedBy: v.id, decidedAt: now, ...(approve ? { sentAt: a.sentAt ?? now } : {}) })
          .where(and(eq(hotlineActions.id, actionId), eq(hotlineActions.state, 'pending_approval')));
        await deps.audit.record({ actorType: 'staff', actorId: v.id, action: approve ? 'hotline.action.approve' : 'hotline.action.reject', targetType: 'hotline_report', targetId: a.reportId, meta: { actionId, requestedBy: a.requestedBy } }, tx);
        if (approve) forwarded = await markForwarded(tx, a.reportId, v, 'police');
        return a.reportId;
      });
      if (forwarded) await deps.feedback(reportId);
      return detail(reportId, v);
    },

    async updateAction(actionId: string, v: Viewer, input: { receiverRef?: string | undefined; sentAt?: string | undefined }): Promise<HotlineReportDetail> {
      const [a] = await db.select().from(hotlineActions).where(eq(hotlineActions.id, actionId));
      if (!a) throw new AppError('not_found', 'No such action');
      await db
        .update(hotlineActions)
        .set({ ...(input.receiverRef !== undefined ? { receiverRef: input.receiverRef || null } : {}), ...(input.sentAt ? { sentAt: new Date(input.sentAt) } : {}) })
        .where(eq(hotlineActions.id, actionId));
      await deps.audit.record({ actorType: 'staff', actorId: v.id, action: 'hotline.action.update', targetType: 'hotline_report', targetId: a.reportId, meta: { actionId } });
      return detail(a.reportId, v);
    },

    async recordRemoval(reportId: string, v: Viewer, removedAt?: string): Promise<HotlineReportDetail> {
      const at = removedAt ? new Date(removedAt) : new Date();
      await db.transaction(async (tx) => {
        const r = await deps.getRow(reportId, tx);
        // Dates are entered by day: a removal earlier than the report's day is a typing error.
        if (at.getTime() < r.createdAt.getTime() - 86_400_000) throw new AppError('invalid_payload', 'Removal date before the report', { fields: [{ path: 'removedAt', message: 'before the report' }] });
        await deps.transition(tx, reportId, 'content_removed', staff(v), null, { removedAt: at });
      });
      await deps.feedback(reportId);
      return detail(reportId, v);
    },
  };
}
