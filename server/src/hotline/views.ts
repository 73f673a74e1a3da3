// Rows → wire shapes, and the report reads shared by the service and the exports.
import { and, asc, desc, eq, inArray, isNotNull, lt, ne } from 'drizzle-orm';
import type {
  HotlineAction,
  HotlineAssessment,
  HotlineHistoryEntry,
  HotlineReportDetail,
  HotlineReportSummary,
  HotlineRouting,
  HotlineStatus,
  HotlineTimelineEntry,
  HotlineUrl,
  HotlineUrlElsewhere,
} from '@helpline/shared';
import type { DbOrTx } from '../db/client.js';
import { hotlineActions, hotlineHistory, hotlineReports, hotlineUrls } from './tables.js';
import { forwardingFor } from './forwarding.js';
import { memberHotline } from './member-hotlines.js';
import { claimOf, type ClaimContext } from './claims.js';

export const OPEN_STATUSES: HotlineStatus[] = ['new', 'in_assessment', 'assessed', 'forwarded'];

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
    receiverName: (a.kind === 'inhope' && memberHotline(a.receiver)?.name) || a.receiver,
    countryCode: a.countryCode,
    receiverRef: a.receiverRef,
    sentAt: a.sentAt?.toISOString() ?? null,
    requestedBy: a.requestedBy,
    approvedBy: a.approvedBy,
    decidedAt: a.decidedAt?.toISOString() ?? null,
    createdAt: a.createdAt.toISOString(),
  };
}

/** Every report's row of these normalised URLs, with its report's reference and status. */
export type SameUrlRow = HotlineUrlElsewhere & { normalizedUrl: string; assessed: boolean };
export async function sameUrlRows(db: DbOrTx, keys: string[]): Promise<SameUrlRow[]> {
  if (!keys.length) return [];
  const rows = await db
    .select({ normalizedUrl: hotlineUrls.normalizedUrl, reportId: hotlineUrls.reportId, assessedAt: hotlineUrls.assessedAt, reference: hotlineReports.reference, status: hotlineReports.status })
    .from(hotlineUrls)
    .innerJoin(hotlineReports, eq(hotlineReports.id, hotlineUrls.reportId))
    .where(inArray(hotlineUrls.normalizedUrl, [...new Set(keys)]))
    .orderBy(asc(hotlineReports.createdAt));
  return rows.map((x) => ({ normalizedUrl: x.normalizedUrl, reportId: x.reportId, reference: x.reference, status: x.status, assessed: x.assessedAt !== null }));
}

/** The other open reports of the URL `u` (each once). */
export function openElsewhere(u: Pick<UrlRow, 'normalizedUrl' | 'reportId'>, same: SameUrlRow[]): HotlineUrlElsewhere[] {
  const out = new Map<string, HotlineUrlElsewhere>();
  for (const x of same) {
    if (x.normalizedUrl === u.normalizedUrl && x.reportId !== u.reportId && OPEN_STATUSES.includes(x.status)) out.set(x.reportId, { reportId: x.reportId, reference: x.reference, status: x.status });
  }
  return [...out.values()];
}

/** Whether the URL `u` is known elsewhere: assessed in another report, or reported in another open one. */
export function knownElsewhere(u: Pick<UrlRow, 'normalizedUrl' | 'reportId' | 'reusedFromUrlId'>, same: SameUrlRow[]): boolean {
  return u.reusedFromUrlId !== null || same.some((x) => x.normalizedUrl === u.normalizedUrl && x.reportId !== u.reportId && (x.assessed || OPEN_STATUSES.includes(x.status)));
}

/** What the views need besides the rows: the claim's and the takedown reminder's times. */
export interface ViewContext extends ClaimContext {
  takedownReminderMs: number;
}

/** Since when the report's notice to the provider is overdue (sent, not removed after the set time), or null. */
export function takedownOverdueSince(r: ReportRow, actions: ActionRow[], ctx: Pick<ViewContext, 'takedownReminderMs' | 'now'>): string | null {
  if (r.removedAt || r.status === 'closed') return null;
  const sent = actions.flatMap((a) => (a.kind === 'provider' && a.state === 'done' && a.sentAt ? [a.sentAt.getTime()] : []));
  if (!sent.length) return null;
  const due = Math.min(...sent) + ctx.takedownReminderMs;
  return due <= ctx.now().getTime() ? new Date(due).toISOString() : null;
}

/** One URL's notice and takedown: the report's forwardings are the report's, its assessment its own. */
export function timelineOf(r: ReportRow, u: UrlRow, actions: ActionRow[]): HotlineTimelineEntry[] {
  const out: HotlineTimelineEntry[] = [{ event: 'received', at: r.createdAt.toISOString() }];
  if (u.assessedAt) out.push({ event: 'assessed', at: u.assessedAt.toISOString() });
  for (const a of actions) if (a.state === 'done' && a.sentAt) out.push({ event: 'sent', at: a.sentAt.toISOString(), kind: a.kind, receiverName: actionView(a).receiverName });
  if (r.removedAt) out.push({ event: 'removed', at: r.removedAt.toISOString() });
  return out.sort((x, y) => x.at.localeCompare(y.at));
}

export function summaryOf(r: ReportRow, urls: UrlRow[], actions: ActionRow[], same: SameUrlRow[], claim: HotlineReportSummary['claim'], ctx: Pick<ViewContext, 'takedownReminderMs' | 'now'>): HotlineReportSummary {
  return {
    id: r.id,
    reference: r.reference,
    source: r.source,
    status: r.status,
    contentType: r.contentType,
    urlCount: urls.length,
    assessedUrlCount: urls.filter((u) => u.assessedAt).length,
    knownUrlCount: urls.filter((u) => knownElsewhere(u, same)).length,
    pendingApproval: actions.some((a) => a.state === 'pending_approval'),
    claim,
    takedownOverdueSince: takedownOverdueSince(r, actions, ctx),
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

export async function loadDetail(db: DbOrTx, r: ReportRow, withContact: boolean, routing: HotlineRouting, claims: ViewContext): Promise<HotlineReportDetail> {
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
  const same = await sameUrlRows(db, urls.map((u) => u.normalizedUrl));
  const urlViews: HotlineUrl[] = [];
  for (const u of urls) {
    const reused = u.reusedFromUrlId ? reusedRefs.get(u.reusedFromUrlId) : undefined;
    let earlier: HotlineUrl['earlier'] = null;
    if (reused) {
      const a = assessmentOf(reused.row);
      if (a) earlier = { ...a, reference: reused.ref, reportId: reused.reportId, urlId: reused.row.id };
    } else {
      const e = await earlierAssessment(db, u, u.assessedAt ?? undefined);
      const a = e && assessmentOf(e.row);
      if (e && a) earlier = { ...a, reference: e.reference, reportId: e.row.reportId, urlId: e.row.id };
    }
    urlViews.push({ id: u.id, url: u.url, normalizedUrl: u.normalizedUrl, host: u.host, assessment: assessmentOf(u, reused?.ref), earlier,
      openElsewhere: openElsewhere(u, same),
      timeline: timelineOf(r, u, actions),
      hoursToRemoval: r.removedAt ? Math.round(((r.removedAt.getTime() - r.createdAt.getTime()) / 3_600_000) * 10) / 10 : null,
    });
  }
  const h: HotlineHistoryEntry[] = history.map((x) => ({ at: x.at.toISOString(), from: x.fromStatus, to: x.toStatus, actorId: x.actorId, note: x.note }));
  return {
    ...summaryOf(r, urls, actions, same, claimOf(r, claims, await claims.names(r.claimedBy ? [r.claimedBy] : [])), claims),
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
