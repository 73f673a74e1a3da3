// Exports (one row per URL, for entry into ICCAM and for statistics) and figures for a period.
// Nothing here carries the reporter's e-mail or free text.
import { and, asc, eq, gte, inArray, lt, type SQL } from 'drizzle-orm';
import type { HotlineStats } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { hotlineActions, hotlineReports, hotlineUrls } from './tables.js';

export const EXPORT_COLUMNS = [
  'reference',
  'report_id',
  'source',
  'status',
  'reported_at',
  'content_type',
  'url',
  'normalized_url',
  'host',
  'classification',
  'victim_age',
  'victim_gender',
  'site_type',
  'hosting_ip',
  'hosting_provider',
  'hosting_country',
  'assessed_at',
  'reused_assessment',
  'forwarded_at',
  'removed_at',
  'actions',
] as const;
export type ExportRow = Record<(typeof EXPORT_COLUMNS)[number], string | null>;

export interface Period {
  from?: Date | undefined;
  to?: Date | undefined;
}

function periodWhere(p: Period): SQL | undefined {
  const c: SQL[] = [];
  if (p.from) c.push(gte(hotlineReports.createdAt, p.from));
  if (p.to) c.push(lt(hotlineReports.createdAt, p.to));
  return c.length ? and(...c) : undefined;
}

export async function exportRows(db: Db, sel: Period & { reportId?: string }): Promise<ExportRow[]> {
  const where = sel.reportId ? eq(hotlineReports.id, sel.reportId) : periodWhere(sel);
  const reports = await db.select().from(hotlineReports).where(where).orderBy(asc(hotlineReports.createdAt));
  if (!reports.length) return [];
  const ids = reports.map((r) => r.id);
  const urls = await db.select().from(hotlineUrls).where(inArray(hotlineUrls.reportId, ids)).orderBy(asc(hotlineUrls.position));
  const actions = await db.select().from(hotlineActions).where(and(inArray(hotlineActions.reportId, ids), eq(hotlineActions.state, 'done')));
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return reports.flatMap((r) => {
    const acts = actions
      .filter((a) => a.reportId === r.id)
      .map((a) => [a.kind, a.receiver, a.countryCode ?? '', a.receiverRef ?? '', iso(a.sentAt) ?? ''].join(':'))
      .join(' | ');
    return urls
      .filter((u) => u.reportId === r.id)
      .map((u) => ({
        reference: r.reference,
        report_id: r.id,
        source: r.source,
        status: r.status,
        reported_at: iso(r.createdAt),
        content_type: r.contentType,
        url: u.url,
        normalized_url: u.normalizedUrl,
        host: u.host,
        classification: u.classification,
        victim_age: u.victimAge,
        victim_gender: u.victimGender,
        site_type: u.siteType,
        hosting_ip: u.hostingIp,
        hosting_provider: u.hostingProvider,
        hosting_country: u.hostingCountry,
        assessed_at: iso(u.assessedAt),
        reused_assessment: u.reusedFromUrlId ? 'yes' : 'no',
        forwarded_at: iso(r.forwardedAt),
        removed_at: iso(r.removedAt),
        actions: acts || null,
      }));
  });
}

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are defused with a leading quote. */
/** `headers` replaces the machine column names in the first row (people reading it in their language). */
export function toCsv(rows: ExportRow[], headers?: Readonly<Record<(typeof EXPORT_COLUMNS)[number], string>>): string {
  const cell = (v: string | null) => {
    let s = v ?? '';
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return `"${s.replace(/"/g, '""')}"`;
  };
  return [EXPORT_COLUMNS.map((c) => (headers ? cell(headers[c]) : c)).join(','), ...rows.map((r) => EXPORT_COLUMNS.map((c) => cell(r[c])).join(','))].join('\r\n') + '\r\n';
}

const HOUR = 3_600_000;
function median(xs: number[]): number | null {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}
const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);
const round = (x: number | null) => (x === null ? null : Math.round(x * 100) / 100);

export async function stats(db: Db, p: Period): Promise<HotlineStats> {
  const reports = await db.select().from(hotlineReports).where(periodWhere(p));
  const ids = reports.map((r) => r.id);
  const urls = ids.length ? await db.select().from(hotlineUrls).where(inArray(hotlineUrls.reportId, ids)) : [];
  const count = (keys: string[]) => keys.reduce<Record<string, number>>((acc, k) => ((acc[k] = (acc[k] ?? 0) + 1), acc), {});
  // URLs are what ICCAM counts; one report may hold several with different assessments.
  const byClassification = count(urls.map((u) => u.classification ?? 'unassessed'));
  const byHostingCountry = count(urls.filter((u) => u.classification).map((u) => u.hostingCountry ?? 'unknown'));
  const toForward = reports.flatMap((r) => (r.forwardedAt ? [(r.forwardedAt.getTime() - r.createdAt.getTime()) / HOUR] : []));
  const toRemoval = reports.flatMap((r) => (r.removedAt ? [(r.removedAt.getTime() - r.createdAt.getTime()) / HOUR] : []));
  return {
    from: p.from?.toISOString() ?? null,
    to: p.to?.toISOString() ?? null,
    total: reports.length,
    byClassification,
    byHostingCountry,
    byStatus: count(reports.map((r) => r.status)),
    timeToForwardHours: { count: toForward.length, median: round(median(toForward)), avg: round(avg(toForward)) },
    timeToRemovalHours: {
      count: toRemoval.length,
      median: round(median(toRemoval)),
      avg: round(avg(toRemoval)),
      removedWithin3DaysShare: toRemoval.length ? round(toRemoval.filter((h) => h <= 72).length / toRemoval.length) : null,
    },
  };
}
