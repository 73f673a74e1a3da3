// The analysts' queue and search: filters by reference, URL or domain, status, day received, hosting
// country and classification. An open queue is oldest first (the longest waiting on top).
import { and, asc, desc, eq, exists, gte, ilike, inArray, isNull, lt, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import type { HotlineReportSummary } from '@helpline/shared';
import type { DbOrTx } from '../db/client.js';
import { hotlineActions, hotlineReports, hotlineUrls } from './tables.js';
import { checkReportedUrl, normalizeUrl } from './normalize.js';
import { OPEN_STATUSES, sameUrlRows, summaryOf, type ViewContext } from './views.js';
import type { HotlineListQuery } from './schemas.js';
import { claimOf } from './claims.js';

const DAY_MS = 86_400_000;
/** A LIKE pattern matching `s` literally. */
const literal = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** What `q` means: a reference, a URL (its de-duplication key) or a domain and its subdomains. */
function searchCondition(q: string): SQL | undefined {
  const urlOf = (cond: SQL) => exists(sql`(select 1 from ${hotlineUrls} where ${hotlineUrls.reportId} = ${hotlineReports.id} and ${cond})`);
  if (/^HR-[0-9A-Z]{0,6}$/i.test(q)) return ilike(hotlineReports.reference, `${literal(q.toUpperCase())}%`);
  const asUrl = checkReportedUrl(q);
  if (asUrl.ok) {
    // A URL: the same key (variants of it: case, www., fragment, utm_*...) and the addresses under it.
    const key = normalizeUrl(asUrl.url);
    return urlOf(or(eq(hotlineUrls.normalizedUrl, key), ilike(hotlineUrls.normalizedUrl, `${literal(key)}/%`), ilike(hotlineUrls.normalizedUrl, `${literal(key)}?%`))!);
  }
  const domain = q.toLowerCase().replace(/^www\./, '').replace(/[/.]+$/, '');
  if (!domain) return undefined;
  // A domain (or a piece of an address without the scheme): its hosts, subdomains, or key.
  return or(
    ilike(hotlineReports.reference, `${literal(q.toUpperCase())}%`),
    urlOf(or(eq(hotlineUrls.host, domain), ilike(hotlineUrls.host, `%.${literal(domain)}`), ilike(hotlineUrls.normalizedUrl, `${literal(domain)}%`))!),
  );
}

export async function listReports(db: DbOrTx, q: Partial<HotlineListQuery> & { limit: number }, claims: ViewContext): Promise<HotlineReportSummary[]> {
  const conds: SQL[] = [];
  if (q.status === 'open') conds.push(inArray(hotlineReports.status, OPEN_STATUSES));
  else if (q.status) conds.push(eq(hotlineReports.status, q.status));
  if (q.q) {
    const c = searchCondition(q.q);
    if (c) conds.push(c);
  }
  if (q.from) conds.push(gte(hotlineReports.createdAt, new Date(`${q.from}T00:00:00Z`)));
  if (q.to) conds.push(lt(hotlineReports.createdAt, new Date(new Date(`${q.to}T00:00:00Z`).getTime() + DAY_MS)));
  const urlCond: SQL[] = [];
  if (q.hostingCountry) urlCond.push(eq(hotlineUrls.hostingCountry, q.hostingCountry));
  if (q.classification === 'unassessed') urlCond.push(isNull(hotlineUrls.assessedAt));
  else if (q.classification) urlCond.push(eq(hotlineUrls.classification, q.classification));
  // Country and classification of the same URL: "a URL hosted in NL and found baseline".
  if (urlCond.length) conds.push(exists(sql`(select 1 from ${hotlineUrls} where ${hotlineUrls.reportId} = ${hotlineReports.id} and ${and(...urlCond)})`));
  if (q.takedown === 'overdue') {
    // A notice to the provider sent longer ago than the reminder time, and no removal yet.
    const due = new Date(claims.now().getTime() - claims.takedownReminderMs);
    conds.push(isNull(hotlineReports.removedAt), ne(hotlineReports.status, 'closed'));
    const notice = and(eq(hotlineActions.kind, 'provider'), eq(hotlineActions.state, 'done'), lte(hotlineActions.sentAt, due));
    conds.push(exists(sql`(select 1 from ${hotlineActions} where ${hotlineActions.reportId} = ${hotlineReports.id} and ${notice})`));
  }
  const open = q.status === 'open' || (q.status && OPEN_STATUSES.includes(q.status));
  const rows = await db
    .select()
    .from(hotlineReports)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(open ? asc(hotlineReports.createdAt) : desc(hotlineReports.createdAt))
    .limit(q.limit);
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const urls = await db.select().from(hotlineUrls).where(inArray(hotlineUrls.reportId, ids));
  const actions = await db.select().from(hotlineActions).where(inArray(hotlineActions.reportId, ids));
  const same = await sameUrlRows(db, urls.map((u) => u.normalizedUrl));
  const names = await claims.names([...new Set(rows.flatMap((r) => (r.claimedBy ? [r.claimedBy] : [])))]);
  return rows.map((r) => summaryOf(r, urls.filter((u) => u.reportId === r.id), actions.filter((a) => a.reportId === r.id), same, claimOf(r, claims, names), claims));
}
