// Statistics for a period: contacts from case records (every channel, including those logged by hand),
// chat figures from conversations, referrals, and the hotline's classifications. Anonymous counts only.
// The CSV is laid out for the quarterly Insafe helpline report: one "section,key,value" row per figure.
import type { FastifyInstance } from 'fastify';
import type { StatsReport } from '@helpline/shared';
import { stats as hotlineStats } from '../hotline/exports.js';
import { contactCounts } from '../cases/stats.js';
import { referralCount } from '../referrals/stats.js';
import { chatFigures } from '../conversations/stats.js';

type Counts = Record<string, number>;

/** Each owner gives its part: contacts (cases), referrals, chat figures (conversations), the hotline. */
export async function statsReport(app: FastifyInstance, from: Date, to: Date): Promise<StatsReport> {
  const sl = await app.settings.get('serviceLevel');
  const counts = await contactCounts(app.db, from, to);
  const total = Object.values(counts.byChannel).reduce((a, b) => a + b, 0);
  const referrals = await referralCount(app.db, from, to).catch(() => 0);
  const chat = await chatFigures(app.db, from, to, sl.targetSeconds);
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
    contacts: { total, ...counts, referrals },
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
