// Case search: a counsellor's own case records, or every one for a supervisor, newest first, by a word
// of the summary, a category and a period. Summaries hold what a child told: the search is audited
// (which filters, never the words) by the route, and it answers at most 200 records at once. A word is
// found in either Serbian script, in any case and with or without diacritics, as in the console's lists:
// the query is folded by searchFold and matched against the summary folded the same way in Postgres
// (case_records.summary_fold, kept by a trigger).
import { and, arrayContains, desc, eq, gte, like, lt, type SQL } from 'drizzle-orm';
import { searchFold, type CaseRecord, type InsafeCategory } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { caseRecords } from './tables.js';
import { toCaseRecord } from './service.js';

export interface CaseQuery {
  /** Only this counsellor's records (always set for a counsellor). */
  staffId?: string;
  /** A word or phrase of the summary (any case, either Serbian script, diacritics optional). */
  q?: string;
  category?: InsafeCategory;
  from?: Date;
  to?: Date;
  limit: number;
}

/** `%` and `_` in what someone typed are letters, not patterns. */
const literal = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function searchCases(db: Db, query: CaseQuery): Promise<CaseRecord[]> {
  const conds: SQL[] = [];
  if (query.staffId) conds.push(eq(caseRecords.staffId, query.staffId));
  if (query.q) conds.push(like(caseRecords.summaryFold, `%${literal(searchFold(query.q))}%`));
  if (query.category) conds.push(arrayContains(caseRecords.categories, [query.category]));
  if (query.from) conds.push(gte(caseRecords.createdAt, query.from));
  if (query.to) conds.push(lt(caseRecords.createdAt, query.to));
  const rows = await db
    .select()
    .from(caseRecords)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(caseRecords.createdAt))
    .limit(Math.min(query.limit, 200));
  return rows.map(toCaseRecord);
}
