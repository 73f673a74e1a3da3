// Figures for a period (by classification, by hosting country, time to forward and to removal) and the
// period's export as CSV or JSON for ICCAM entry and statistics.
import { useState } from 'preact/hooks';
import type { HotlineStats } from '@helpline/shared';
import { api } from '../api.js';
import { t, formatNumber, getLanguage, regionName } from '../i18n/index.js';

const monthAgo = () => new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const fmt = (x: number | null) => (x === null ? '—' : String(x));
const pct = (x: number | null) => (x === null ? '—' : formatNumber(x, { style: 'percent' }));

/** A horizontal bar chart (SVG: attributes, no inline style, so the console's CSP holds) with its numbers as text. */
function BarChart({ id, title, rows }: { id: string; title: string; rows: [string, number][] }) {
  const max = Math.max(1, ...rows.map((r) => r[1]));
  const h = 22;
  return (
    <figure class="hl-chart" aria-labelledby={`${id}-cap`}>
      <figcaption id={`${id}-cap`}>{title}</figcaption>
      {rows.length === 0 ? (
        <p class="muted">{t('common.none')}</p>
      ) : (
        <svg viewBox={`0 0 400 ${rows.length * h}`} width="100%" height={rows.length * h} role="img" aria-label={rows.map(([k, n]) => `${k}: ${n}`).join(', ')}>
          {rows.map(([k, n], i) => (
            <g key={k}>
              <rect x="160" y={i * h + 3} width={(n / max) * 200} height={h - 6} class="hl-bar" />
              <text x="155" y={i * h + h / 2 + 4} text-anchor="end" class="hl-bar-label">
                {k}
              </text>
              <text x={165 + (n / max) * 200} y={i * h + h / 2 + 4} class="hl-bar-label">
                {n}
              </text>
            </g>
          ))}
        </svg>
      )}
    </figure>
  );
}

export function StatsPanel() {
  const [from, setFrom] = useState(monthAgo());
  const [to, setTo] = useState(tomorrow());
  const [s, setS] = useState<HotlineStats | null>(null);
  const [err, setErr] = useState(false);
  const qs = `from=${encodeURIComponent(new Date(`${from}T00:00:00Z`).toISOString())}&to=${encodeURIComponent(new Date(`${to}T00:00:00Z`).toISOString())}`;
  const load = (e?: Event) => {
    e?.preventDefault();
    setErr(false);
    api
      .get<HotlineStats>(`/api/hotline/stats?${qs}`)
      .then(setS)
      .catch(() => setErr(true));
  };
  const label = (prefix: string, k: string) => (t(`${prefix}.${k}`) === `${prefix}.${k}` ? k : t(`${prefix}.${k}`));
  const rowsOf = (o: Record<string, number>, prefix: string): [string, number][] =>
    Object.entries(o)
      .sort((a, b) => b[1] - a[1])
      .map(([k, n]) => [prefix === 'country' ? regionName(k) : label(prefix, k), n]);
  const list = (o: Record<string, number>) => (
    <ul class="hl-bars">
      {Object.entries(o)
        .sort((a, b) => b[1] - a[1])
        .map(([k, n]) => (
          <li key={k}>
            <span>{t(`hl.cls.${k}`) === `hl.cls.${k}` ? k : t(`hl.cls.${k}`)}</span>
            <span>{n}</span>
          </li>
        ))}
    </ul>
  );
  return (
    <section class="page hotline" aria-labelledby="hl-stats-title">
      <p>
        <a href="#/hotline">{t('hl.back')}</a>
      </p>
      <h1 id="hl-stats-title">{t('hl.stats')}</h1>
      <form class="row" onSubmit={load}>
        <label for="hl-from">
          {t('hl.from')}
          <input id="hl-from" type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label for="hl-to">
          {t('hl.to')}
          <input id="hl-to" type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        <button type="submit" class="primary">
          {t('hl.showStats')}
        </button>
        <a href={`/api/hotline/export?format=csv&lang=${getLanguage()}&${qs}`} download>
          {t('hl.exportCsv')}
        </a>
        <a href={`/api/hotline/export?format=json&${qs}`} download>
          {t('hl.exportJson')}
        </a>
        <a href={`/api/hotline/stats?format=csv&${qs}`} download>
          {t('hl.statsCsv')}
        </a>
      </form>
      {err && (
        <p class="error" role="alert">
          {t('common.error')}
        </p>
      )}
      {s && (
        <div class="card">
          <p>
            {t('hl.total')}: <strong>{s.total}</strong>
          </p>
          <p data-testid="hl-shares">
            {t('hl.st.shares', { illegal: s.illegalUrls, assessed: s.assessedUrls, illegalShare: pct(s.illegalShare), fresh: s.newUrls, urls: s.urls, newShare: pct(s.newShare) })}
          </p>
          <h2>{t('hl.byClassification')}</h2>
          {list(s.byClassification)}
          <BarChart id="hl-ch-country" title={t('hl.byCountry')} rows={rowsOf(s.byHostingCountry, 'country')} />
          <BarChart id="hl-ch-site" title={t('hl.st.bySite')} rows={rowsOf(s.bySiteType, 'hl.site')} />
          <BarChart id="hl-ch-age" title={t('hl.st.byAge')} rows={rowsOf(s.byVictimAge, 'hl.age')} />
          <BarChart id="hl-ch-gender" title={t('hl.st.byGender')} rows={rowsOf(s.byVictimGender, 'hl.gender')} />
          <p>{t('hl.st.toPolice', { median: fmt(s.timeToPoliceHours.median), avg: fmt(s.timeToPoliceHours.avg), count: s.timeToPoliceHours.count })}</p>
          <p>{t('hl.timeToForward', { median: fmt(s.timeToForwardHours.median), avg: fmt(s.timeToForwardHours.avg), count: s.timeToForwardHours.count })}</p>
          <p>
            {t('hl.timeToRemoval', {
              median: fmt(s.timeToRemovalHours.median),
              avg: fmt(s.timeToRemovalHours.avg),
              count: s.timeToRemovalHours.count,
              share: s.timeToRemovalHours.removedWithin3DaysShare === null ? '—' : formatNumber(s.timeToRemovalHours.removedWithin3DaysShare, { style: 'percent' }),
            })}
          </p>
        </div>
      )}
    </section>
  );
}
