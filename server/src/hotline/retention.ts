// The hotline's part of retention: reports lose what could identify the reporter or was written in
// free text; classifications, actions and dates stay for the statistics.
import { and, inArray, isNotNull, lt, or } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { hotlineHistory, hotlineReports } from './tables.js';

export async function blankReportsBefore(tx: DbOrTx, cutoff: Date, now: Date): Promise<number> {
  const reports = await tx
    .update(hotlineReports)
    .set({ reporterEmail: null, replyRoute: null, description: null, whereFound: null, pickupHash: null, updatedAt: now })
    .where(
      and(
        lt(hotlineReports.createdAt, cutoff),
        or(isNotNull(hotlineReports.reporterEmail), isNotNull(hotlineReports.replyRoute), isNotNull(hotlineReports.description), isNotNull(hotlineReports.whereFound), isNotNull(hotlineReports.pickupHash)),
      ),
    )
    .returning({ id: hotlineReports.id });
  if (reports.length) await tx.update(hotlineHistory).set({ note: null }).where(inArray(hotlineHistory.reportId, reports.map((x) => x.id)));
  return reports.length;
}
