// Statistics for a period: contacts from case records (every channel, including those logged by hand),
// chat figures from conversations (and per conversation channel, each against its own service-level
// target), referrals, and the hotline's classifications. Anonymous counts only.
// The CSV is laid out for the quarterly Insafe helpline report: one "section,key,value" row per figure.
import type { FastifyInstance } from 'fastify';
import type { StatsReport } from '@helpline/shared';
import { stats as hotlineStats } from '../hotline/exports.js';
import { contactCounts } from '../cases/stats.js';
import { referralCount } from '../referrals/stats.js';
import { CONVERSATION_CHANNELS } from '@helpline/shared';
import { periodFigures } from '../conversations/stats.js';

type Counts = Record<string, number>;

/** Each owner gives its part: contacts (cases), referrals, chat figures (conversations), the hotline. */
export async function statsReport(app: FastifyInstance, from: Date, to: Date): Promise<StatsReport> {
  const [sl, targets] = await Promise.all([app.settings.get('serviceLevel'), app.settings.get('channelTargets')]);
  // The parts read different tables: they run side by side, each on a connection of the pool.
  const [counts, referrals, { chat, channels }, h] = await Promise.all([
    contactCounts(app.db, from, to),
    referralCount(app.db, from, to).catch(() => 0),
    periodFigures(app.db, from, to, sl.targetSeconds, targets),
    hotlineStats(app.db, { from, to }).catch((err: Error) => {
      app.log.warn({ err: err.message }, 'hotline statistics unavailable');
      return null;
    }),
  ]);
  const total = Object.values(counts.byChannel).reduce((a, b) => a + b, 0);
  const perChannel = new Map(channels.map((f) => [f.channel, f]));
  const decided = chat.answered + chat.abandoned;
  const hotline: StatsReport['hotline'] = h && { total: h.total, byClassification: h.byClassification };
  const round = (x: number | null | undefined) => (x === null || x === undefined ? null : Math.round(x));
  return {
    from: from.toISOString(),
    to: to.toISOString(),
    contacts: { total, ...counts, referrals },
    chat: {
      offered: chat.offered,
      answered: chat.answered,
      abandoned: chat.abandoned,
      asaSeconds: round(chat.asa),
      avgHandleSeconds: round(chat.aht),
      serviceLevel: { targetSeconds: sl.targetSeconds, share: decided ? Math.round((chat.within / decided) * 1000) / 1000 : null },
    },
    channels: CONVERSATION_CHANNELS.flatMap((ch) => {
      const f = perChannel.get(ch);
      if (!f) return [];
      const settled = f.answered + f.abandoned;
      return [{
        channel: ch,
        count: f.count,
        answered: f.answered,
        abandoned: f.abandoned,
        targetSeconds: targets[ch],
        withinTargetShare: settled ? Math.round((f.within / settled) * 1000) / 1000 : null,
        medianFirstAnswerSeconds: round(f.medianFirstAnswer),
      }];
    }),
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
  // One section per conversation channel, each figure against that channel's own target.
  for (const c of r.channels) {
    rows.push(
      [`channel_service_level`, `${c.channel}_count`, c.count],
      [`channel_service_level`, `${c.channel}_answered`, c.answered],
      [`channel_service_level`, `${c.channel}_abandoned`, c.abandoned],
      [`channel_service_level`, `${c.channel}_target_seconds`, c.targetSeconds],
      [`channel_service_level`, `${c.channel}_within_target_share`, c.withinTargetShare],
      [`channel_service_level`, `${c.channel}_median_first_answer_seconds`, c.medianFirstAnswerSeconds],
    );
  }
  if (r.hotline) {
    rows.push(['hotline', 'reports', r.hotline.total]);
    for (const [k, n] of Object.entries(r.hotline.byClassification)) rows.push(['hotline_classification', k, n]);
  }
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
