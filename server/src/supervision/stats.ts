// Statistics for a period: contacts from case records (every channel, including those logged by hand),
// chat figures from conversations, referrals, and the hotline's classifications. Anonymous counts only.
// The CSV is laid out for the quarterly Insafe helpline report: one "section,key,value" row per figure.
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import type { StatsReport } from '@helpline/shared';
import { execRows } from '../db/client.js';
import { stats as hotlineStats } from '../hotline/exports.js';

type Counts = Record<string, number>;

async function countBy(app: FastifyInstance, expr: string, from: Date, to: Date): Promise<Counts> {
  // `expr` is one of the fixed column expressions below, never user input. A field left empty counts as
  // 'not_recorded' (distinct from an explicit 'unknown').
  const rows = await execRows<{ k: string | null; n: number }>(
    app.db,
    sql`select ${sql.raw(expr)} as k, count(*)::int as n from case_records
        where created_at >= ${from.toISOString()} and created_at < ${to.toISOString()} group by 1 order by 2 desc`,
  );
  return Object.fromEntries(rows.map((r) => [r.k ?? 'not_recorded', r.n]));
}

export async function statsReport(app: FastifyInstance, from: Date, to: Date): Promise<StatsReport> {
  const sl = await app.settings.get('serviceLevel');
  const [byChannel, byInsafeCategory, byChiCategory, byContactType, byAgeGroup, byGender, byPlatform, byOutcome] = await Promise.all([
    countBy(app, 'channel', from, to),
    countBy(app, 'unnest(categories)', from, to),
    countBy(app, 'unnest(chi_categories)', from, to),
    countBy(app, 'contact_type', from, to),
    countBy(app, 'age_group', from, to),
    countBy(app, 'gender', from, to),
    countBy(app, 'platform', from, to),
    countBy(app, 'outcome', from, to),
  ]);
  const total = Object.values(byChannel).reduce((a, b) => a + b, 0);
  const [ref] = await execRows<{ n: number }>(
    app.db,
    sql`select count(*)::int as n from referrals
        where created_at >= ${from.toISOString()} and created_at < ${to.toISOString()} and status <> 'rejected'`,
  ).catch(() => [{ n: 0 }]);
  const [chat] = await execRows<{ offered: number; answered: number; abandoned: number; within: number; asa: number | null; aht: number | null }>(
    app.db,
    sql`select count(*)::int as offered,
               count(*) filter (where first_accepted_at is not null)::int as answered,
               count(*) filter (where state = 'abandoned' and first_accepted_at is null)::int as abandoned,
               count(*) filter (where first_accepted_at <= enqueued_at + make_interval(secs => ${sl.targetSeconds}))::int as within,
               avg(extract(epoch from (first_accepted_at - enqueued_at)))::float8 as asa,
               avg(extract(epoch from (ended_at - accepted_at))) filter (where ended_at is not null and accepted_at is not null)::float8 as aht
        from conversations where enqueued_at >= ${from.toISOString()} and enqueued_at < ${to.toISOString()}`,
  );
  const decided = (chat?.answered ?? 0) + (chat?.abandoned ?? 0);
  let hotline: StatsReport['hotline'] = null;
  try {
    const h = await hotlineStats(app.db, { from, to });
    hotline = { total: h.total, byClassification: h.byClassification };
  } catch (err) {
    app.log.warn({ err: (err as Error).message }, 'hotline statistics unavailable');
  }
  const round = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    contacts: { total, byChannel, byInsafeCategory, byChiCategory, byContactType, byAgeGroup, byGender, byPlatform, byOutcome, referrals: ref?.n ?? 0 },
    chat: {
      offered: chat?.offered ?? 0,
      answered: chat?.answered ?? 0,
      abandoned: chat?.abandoned ?? 0,
      asaSeconds: round(chat?.asa),
      avgHandleSeconds: round(chat?.aht),
      serviceLevel: { targetSeconds: sl.targetSeconds, share: decided ? Math.round(((chat?.within ?? 0) / decided) * 1000) / 1000 : null },
    },
    hotline,
  };
}

function csvCell(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  // Leading = + - @ would be formulas in a spreadsheet.
  const safe = /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function statsCsv(r: StatsReport, headers?: { section: string; key: string; value: string }): string {
  const rows: (string | number | null)[][] = [headers ? [headers.section, headers.key, headers.value] : ['section', 'key', 'value']];
  rows.push(['period', 'from', r.from], ['period', 'to', r.to], ['contacts', 'total', r.contacts.total], ['contacts', 'referrals', r.contacts.referrals]);
  const sections: [string, Counts][] = [
    ['channel', r.contacts.byChannel],
    ['insafe_category', r.contacts.byInsafeCategory],
    ['chi_category', r.contacts.byChiCategory],
    ['contact_type', r.contacts.byContactType],
    ['age_group', r.contacts.byAgeGroup],
    ['gender', r.contacts.byGender],
    ['platform', r.contacts.byPlatform],
    ['outcome', r.contacts.byOutcome],
  ];
  for (const [name, counts] of sections) for (const [k, n] of Object.entries(counts)) rows.push([name, k, n]);
  rows.push(
    ['chat', 'offered', r.chat.offered],
    ['chat', 'answered', r.chat.answered],
    ['chat', 'abandoned', r.chat.abandoned],
    ['chat', 'asa_seconds', r.chat.asaSeconds],
    ['chat', 'avg_handle_seconds', r.chat.avgHandleSeconds],
    ['chat', `service_level_${r.chat.serviceLevel.targetSeconds}s`, r.chat.serviceLevel.share],
  );
  if (r.hotline) {
    rows.push(['hotline', 'reports', r.hotline.total]);
    for (const [k, n] of Object.entries(r.hotline.byClassification)) rows.push(['hotline_classification', k, n]);
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
