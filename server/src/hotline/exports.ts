// Exports (one row per URL, for entry into ICCAM and for statistics) and figures for a period.
// Nothing here carries the reporter's e-mail or free text.
import { and, asc, count, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import type { HotlineStats } from '@helpline/shared';
import { execRows, type Db } from '../db/client.js';
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

type ReportRow = typeof hotlineReports.$inferSelect;

function byReport<T extends { reportId: string }>(xs: T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of xs) {
    const list = m.get(x.reportId);
    if (list) list.push(x);
    else m.set(x.reportId, [x]);
  }
  return m;
}

/** One row per URL of these reports, in report order (their URLs and done actions looked up by id). */
async function rowsOf(db: Db, reports: ReportRow[]): Promise<ExportRow[]> {
  if (!reports.length) return [];
  const ids = reports.map((r) => r.id);
  const urls = await db.select().from(hotlineUrls).where(inArray(hotlineUrls.reportId, ids)).orderBy(asc(hotlineUrls.position));
  const actions = await db.select().from(hotlineActions).where(and(inArray(hotlineActions.reportId, ids), eq(hotlineActions.state, 'done')));
  const urlsOf = byReport(urls);
  const actionsOf = byReport(actions);
  const iso = (d: Date | null) => d?.toISOString() ?? null;
  return reports.flatMap((r) => {
    const acts = (actionsOf.get(r.id) ?? []).map((a) => [a.kind, a.receiver, a.countryCode ?? '', a.receiverRef ?? '', iso(a.sentAt) ?? ''].join(':')).join(' | ');
    return (urlsOf.get(r.id) ?? []).map((u) => ({
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

/** The rows of one report. */
export async function exportRows(db: Db, sel: { reportId: string }): Promise<ExportRow[]> {
  return rowsOf(db, await db.select().from(hotlineReports).where(eq(hotlineReports.id, sel.reportId)));
}

/**
 * The rows of a period, a page of reports at a time (keyset on created_at, id), oldest first: an export
 * of years holds one page in memory, never the whole period.
 */
export async function* exportPages(db: Db, p: Period, pageSize = 500): AsyncGenerator<ExportRow[]> {
  let afterId: string | null = null;
  for (;;) {
    const conds = [periodWhere(p)];
    // The edge is the last report's own (created_at, id), read by Postgres: a Date in this process holds
    // milliseconds, created_at microseconds, so a bound taken from it would repeat or skip rows.
    if (afterId) conds.push(sql`(${hotlineReports.createdAt}, ${hotlineReports.id}) > (select r.created_at, r.id from hotline_reports r where r.id = ${afterId})`);
    const reports: ReportRow[] = await db
      .select()
      .from(hotlineReports)
      .where(and(...conds))
      .orderBy(asc(hotlineReports.createdAt), asc(hotlineReports.id))
      .limit(pageSize);
    if (!reports.length) return;
    yield await rowsOf(db, reports);
    if (reports.length < pageSize) return;
    afterId = reports.at(-1)!.id;
  }
}

/** How many rows (URLs) an export of the period holds. */
export async function exportCount(db: Db, p: Period): Promise<number> {
  const [row] = await db.select({ n: count() }).from(hotlineUrls).innerJoin(hotlineReports, eq(hotlineReports.id, hotlineUrls.reportId)).where(periodWhere(p));
  return row?.n ?? 0;
}

/** RFC 4180 CSV; cells that a spreadsheet would run as a formula are defused with a leading quote. */
/** `headers` replaces the machine column names in the first row (people reading it in their language). */
export type ExportHeaders = Readonly<Record<(typeof EXPORT_COLUMNS)[number], string>>;
const cell = (v: string | null) => {
  let s = v ?? '';
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return `"${s.replace(/"/g, '""')}"`;
};
export const csvHeader = (headers?: ExportHeaders) => EXPORT_COLUMNS.map((c) => (headers ? cell(headers[c]) : c)).join(',') + '\r\n';
export const csvRows = (rows: ExportRow[]) => rows.map((r) => EXPORT_COLUMNS.map((c) => cell(r[c])).join(',') + '\r\n').join('');

export function toCsv(rows: ExportRow[], headers?: ExportHeaders): string {
  return csvHeader(headers) + csvRows(rows);
}

/**
 * Figures of a period, counted by Postgres (a period of years is hundreds of thousands of rows: none of
 * them comes to this process). URLs are what ICCAM counts; one report may hold several with different
 * assessments. Times are in hours from the report; medians as percentile_cont(0.5).
 */
export async function stats(db: Db, p: Period): Promise<HotlineStats> {
  const from = p.from?.toISOString() ?? null;
  const to = p.to?.toISOString() ?? null;
  const inPeriod = sql`(${from}::timestamptz is null or r.created_at >= ${from}::timestamptz) and (${to}::timestamptz is null or r.created_at < ${to}::timestamptz)`;
  // Two reads: the URLs of the period (by classification, and by hosting country of the assessed
  // ones, in one pass), and the reports (by status, and their times).
  const [urlRows, reportRows] = await Promise.all([
    execRows<{ d: 'classification' | 'country'; k: string | null; n: number }>(
      db,
      sql`select case when grouping(coalesce(u.classification, 'unassessed')) = 0 then 'classification' else 'country' end as d,
                 coalesce(coalesce(u.classification, 'unassessed'), case when u.classification is not null then coalesce(u.hosting_country, 'unknown') end) as k,
                 count(*)::int as n
          from hotline_reports r join hotline_urls u on u.report_id = r.id where ${inPeriod}
          group by grouping sets ((coalesce(u.classification, 'unassessed')), (case when u.classification is not null then coalesce(u.hosting_country, 'unknown') end))
          order by 3 desc, 2`,
    ),
    execRows<{ status: string | null; total: number; fwd_n: number; fwd_median: number | null; fwd_avg: number | null; rem_n: number; rem_median: number | null; rem_avg: number | null; rem_3d: number }>(
      db,
      sql`select r.status, count(*)::int as total,
            count(r.forwarded_at)::int as fwd_n,
            percentile_cont(0.5) within group (order by date_part('epoch', r.forwarded_at - r.created_at) / 3600) filter (where r.forwarded_at is not null) as fwd_median,
            avg(date_part('epoch', r.forwarded_at - r.created_at) / 3600) as fwd_avg,
            count(r.removed_at)::int as rem_n,
            percentile_cont(0.5) within group (order by date_part('epoch', r.removed_at - r.created_at) / 3600) filter (where r.removed_at is not null) as rem_median,
            avg(date_part('epoch', r.removed_at - r.created_at) / 3600) as rem_avg,
            count(*) filter (where r.removed_at - r.created_at <= interval '72 hours')::int as rem_3d
          from hotline_reports r where ${inPeriod}
          group by grouping sets ((r.status), ())`,
    ),
  ]);
  const illegal = sql`u.classification is not null and u.classification not in ('not-illegal', 'harmful-but-legal', 'out-of-remit')`;
  const [counts, breakdown, police] = await Promise.all([
    execRows<{ urls: number; assessed: number; illegal: number; new_urls: number }>(
      db,
      sql`select count(*)::int as urls, count(u.assessed_at)::int as assessed, count(*) filter (where ${illegal})::int as illegal,
            count(*) filter (where not exists (
              select 1 from hotline_urls u2 join hotline_reports r2 on r2.id = u2.report_id
              where u2.normalized_url = u.normalized_url and (r2.created_at < r.created_at or (r2.created_at = r.created_at and u2.id < u.id))))::int as new_urls
          from hotline_reports r join hotline_urls u on u.report_id = r.id where ${inPeriod}`,
    ),
    execRows<{ d: 'site' | 'age' | 'gender'; k: string; n: number }>(
      db,
      sql`select 'site' as d, u.site_type as k, count(*)::int as n from hotline_reports r join hotline_urls u on u.report_id = r.id where ${inPeriod} and ${illegal} and u.site_type is not null group by u.site_type
          union all
          select 'age', u.victim_age, count(*)::int from hotline_reports r join hotline_urls u on u.report_id = r.id where ${inPeriod} and ${illegal} and u.victim_age is not null group by u.victim_age
          union all
          select 'gender', u.victim_gender, count(*)::int from hotline_reports r join hotline_urls u on u.report_id = r.id where ${inPeriod} and ${illegal} and u.victim_gender is not null group by u.victim_gender
          order by 3 desc, 2`,
    ),
    execRows<{ n: number; median: number | null; avg: number | null }>(
      db,
      sql`select count(*)::int as n, percentile_cont(0.5) within group (order by h) as median, avg(h) as avg
          from (select min(date_part('epoch', a.sent_at - r.created_at) / 3600) as h
                from hotline_reports r join hotline_actions a on a.report_id = r.id and a.kind = 'police' and a.state = 'done' and a.sent_at is not null
                where ${inPeriod} group by r.id) x`,
    ),
  ]);
  const c = counts[0] ?? { urls: 0, assessed: 0, illegal: 0, new_urls: 0 };
  const by = (d: 'site' | 'age' | 'gender') => Object.fromEntries(breakdown.filter((x) => x.d === d).map((x) => [x.k, x.n]));
  const pol = police[0] ?? { n: 0, median: null, avg: null };
  const byClassification: Record<string, number> = {};
  const byHostingCountry: Record<string, number> = {};
  for (const r of urlRows) {
    // The country rows of unassessed URLs are grouped under null: they are not counted by country.
    if (r.k === null) continue;
    (r.d === 'classification' ? byClassification : byHostingCountry)[r.k] = r.n;
  }
  const byStatus = Object.fromEntries(reportRows.filter((r) => r.status !== null).sort((a, b) => b.total - a.total).map((r) => [r.status!, r.total]));
  const times = reportRows.filter((r) => r.status === null);
  const t = times[0] ?? { total: 0, fwd_n: 0, fwd_median: null, fwd_avg: null, rem_n: 0, rem_median: null, rem_avg: null, rem_3d: 0 };
  const round = (x: number | string | null) => (x === null ? null : Math.round(Number(x) * 100) / 100);
  return {
    from,
    to,
    total: t.total,
    byClassification,
    byHostingCountry,
    byStatus,
    timeToForwardHours: { count: t.fwd_n, median: round(t.fwd_median), avg: round(t.fwd_avg) },
    timeToRemovalHours: { count: t.rem_n, median: round(t.rem_median), avg: round(t.rem_avg), removedWithin3DaysShare: t.rem_n ? round(t.rem_3d / t.rem_n) : null },
    urls: c.urls,
    assessedUrls: c.assessed,
    illegalUrls: c.illegal,
    illegalShare: c.assessed ? round(c.illegal / c.assessed) : null,
    newUrls: c.new_urls,
    newShare: c.urls ? round(c.new_urls / c.urls) : null,
    bySiteType: by('site'),
    byVictimAge: by('age'),
    byVictimGender: by('gender'),
    timeToPoliceHours: { count: pol.n, median: round(pol.median), avg: round(pol.avg) },
  };
}

/** The figures as CSV, one row per figure (figure, key, value), for a spreadsheet or a yearly report. */
export function statsCsv(s: HotlineStats): string {
  const rows: [string, string, string | number | null][] = [
    ['period', 'from', s.from],
    ['period', 'to', s.to],
    ['reports', 'total', s.total],
    ['urls', 'total', s.urls],
    ['urls', 'assessed', s.assessedUrls],
    ['urls', 'illegal', s.illegalUrls],
    ['urls', 'illegal_share', s.illegalShare],
    ['urls', 'new', s.newUrls],
    ['urls', 'new_share', s.newShare],
    ...Object.entries(s.byClassification).map(([k, n]) => ['classification', k, n] as [string, string, number]),
    ...Object.entries(s.byHostingCountry).map(([k, n]) => ['hosting_country', k, n] as [string, string, number]),
    ...Object.entries(s.bySiteType).map(([k, n]) => ['site_type', k, n] as [string, string, number]),
    ...Object.entries(s.byVictimAge).map(([k, n]) => ['victim_age', k, n] as [string, string, number]),
    ...Object.entries(s.byVictimGender).map(([k, n]) => ['victim_gender', k, n] as [string, string, number]),
    ...Object.entries(s.byStatus).map(([k, n]) => ['status', k, n] as [string, string, number]),
    ['hours_to_police', 'count', s.timeToPoliceHours.count],
    ['hours_to_police', 'median', s.timeToPoliceHours.median],
    ['hours_to_police', 'avg', s.timeToPoliceHours.avg],
    ['hours_to_forward', 'count', s.timeToForwardHours.count],
    ['hours_to_forward', 'median', s.timeToForwardHours.median],
    ['hours_to_removal', 'count', s.timeToRemovalHours.count],
    ['hours_to_removal', 'median', s.timeToRemovalHours.median],
    ['hours_to_removal', 'avg', s.timeToRemovalHours.avg],
    ['hours_to_removal', 'removed_within_3_days_share', s.timeToRemovalHours.removedWithin3DaysShare],
  ];
  return 'figure,key,value\r\n' + rows.map((r) => r.map((v) => cell(v === null ? null : String(v))).join(',') + '\r\n').join('');
}
