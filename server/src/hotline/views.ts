// Rows → wire shapes, and the report reads shared by the service and the exports.
import { and, asc, desc, eq, inArray, isNotNull, lt, ne } from 'drizzle-orm';
import type {
  HotlineAction,
  HotlineAssessment,
  HotlineHistoryEntry,
  HotlineReportDetail,
  HotlineReportSummary,
  HotlineRouting,
  HotlineUrl,
} from '@helpline/shared';
import type { DbOrTx } from '../db/client.js';
import { hotlineActions, hotlineHistory, hotlineReports, hotlineUrls } from './tables.js';
import { forwardingFor } from './forwarding.js';

export type ReportRow = typeof hotlineReports.$inferSelect;
export type UrlRow = typeof hotlineUrls.$inferSelect;
export type ActionRow = typeof hotlineActions.$inferSelect;

export function assessmentOf(u: UrlRow, reusedFromReference?: string): HotlineAssessment | null {
  if (!u.classification || !u.assessedAt) return null;
  return {
    classification: u.classification,
    victimAge: u.victimAge,
    victimGender: u.victimGender,
    siteType: u.siteType,
    hostingIp: u.hostingIp,
    hostingProvider: u.hostingProvider,
    hostingCountry: u.hostingCountry,
    assessedBy: u.assessedBy,
    assessedAt: u.assessedAt.toISOString(),
    ...(reusedFromReference ? { reusedFromReference } : {}),
  };
}

export function actionView(a: ActionRow): HotlineAction {
  return {
    id: a.id,
    kind: a.kind,
    state: a.state,
    receiver: a.receiver,
    countryCode: a.countryCode,
    receiverRef: a.receiverRef,
    sentAt: a.sentAt?.toISOString() ?? null,
    requestedBy: a.requestedBy,
    approvedBy: a.approvedBy,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
  };
}

export function summaryOf(r: ReportRow, urls: UrlRow[], actions: ActionRow[]): HotlineReportSummary {
  return {
    id: r.id,
    reference: r.reference,
    source: r.source,
    status: r.status,
    contentType: r.contentType,
    urlCount: urls.length,
    assessedUrlCount: urls.filter((u) => u.assessedAt).length,
    knownUrlCount: urls.filter((u) => u.reusedFromUrlId).length,
    pendingApproval: actions.some((a) => a.state === 'pending_approval'),
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** The latest assessment of the same normalised URL in another, earlier-assessed report. */
export async function earlierAssessment(db: DbOrTx, u: Pick<UrlRow, 'normalizedUrl' | 'reportId'>, before?: Date) {
  const conds = [eq(hotlineUrls.normalizedUrl, u.normalizedUrl), ne(hotlineUrls.reportId, u.reportId), isNotNull(hotlineUrls.assessedAt)];
  if (before) conds.push(lt(hotlineUrls.assessedAt, before));
  const rows = await db
    .select({ url: hotlineUrls, reference: hotlineReports.reference })
    .from(hotlineUrls)
    .innerJoin(hotlineReports, eq(hotlineReports.id, hotlineUrls.reportId))
    .where(and(...conds))
    .orderBy(desc(hotlineUrls.assessedAt))
    .limit(1);
  const last = rows[0];
  return last ? { row: last.url, reference: last.reference } : null;
}

export async function loadDetail(db: DbOrTx, r: ReportRow, withContact: boolean, routing: HotlineRouting): Promise<HotlineReportDetail> {
  const urls = await db.select().from(hotlineUrls).where(eq(hotlineUrls.reportId, r.id)).orderBy(asc(hotlineUrls.position));
  const actions = await db.select().from(hotlineActions).where(eq(hotlineActions.reportId, r.id)).orderBy(asc(hotlineActions.createdAt));
  const history = await db.select().from(hotlineHistory).where(eq(hotlineHistory.reportId, r.id)).orderBy(asc(hotlineHistory.id));
  const reusedIds = urls.flatMap((u) => (u.reusedFromUrlId ? [u.reusedFromUrlId] : []));
  const reusedRefs = new Map<string, { ref: string; reportId: string; row: UrlRow }>();
  if (reusedIds.length) {
    const rows = await db
      .select({ url: hotlineUrls, reference: hotlineReports.reference })
      .from(hotlineUrls)
      .innerJoin(hotlineReports, eq(hotlineReports.id, hotlineUrls.reportId))
      .where(inArray(hotlineUrls.id, reusedIds));
    for (const x of rows) reusedRefs.set(x.url.id, { ref: x.reference, reportId: x.url.reportId, row: x.url });
  }
  const urlViews: HotlineUrl[] = [];
  for (const u of urls) {
    const reused = u.reusedFromUrlId ? reusedRefs.get(u.reusedFromUrlId) : undefined;
    let earlier: HotlineUrl['earlier'] = null;
    if (reused) {
      const a = assessmentOf(reused.row);
      if (a) earlier = { ...a, reference: reused.ref, reportId: reused.reportId };
    } else {
      const e = await earlierAssessment(db, u, u.assessedAt ?? undefined);
      const a = e && assessmentOf(e.row);
      if (e && a) earlier = { ...a, reference: e.reference, reportId: e.row.reportId };
    }
    urlViews.push({ id: u.id, url: u.url, normalizedUrl: u.normalizedUrl, host: u.host, assessment: assessmentOf(u, reused?.ref), earlier });
  }
  const h: HotlineHistoryEntry[] = history.map((x) => ({ at: x.at.toISOString(), from: x.fromStatus, to: x.toStatus, actorId: x.actorId, note: x.note }));
  return {
    ...summaryOf(r, urls, actions),
    whereFound: r.whereFound,
    description: r.description,
    language: r.language,
    conversationId: r.conversationId,
    ...(withContact ? { reporterEmail: r.reporterEmail } : {}),
    wantsFeedback: r.reporterEmail !== null,
    urls: urlViews,
    actions: actions.map(actionView),
    history: h,
    forwardedAt: r.forwardedAt?.toISOString() ?? null,
    removedAt: r.removedAt?.toISOString() ?? null,
    forwarding: forwardingFor(urlViews, routing),
  };
}
