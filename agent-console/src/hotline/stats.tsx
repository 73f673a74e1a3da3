// Figures for a period (by classification, by hosting country, time to forward and to removal) and the
// period's export as CSV or JSON for ICCAM entry and statistics.
import { useState } from 'preact/hooks';
import type { HotlineStats } from '@helpline/shared';
import { api } from '../api.js';
import { t, formatNumber, getLanguage } from '../i18n/index.js';

const monthAgo = () => new Date(Date.now() - 30 * 86_400_000).toISOString().slice(0, 10);
const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
const fmt = (x: number | null) => (x === null ? '—' : String(x));

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
          <h2>{t('hl.byClassification')}</h2>
          {list(s.byClassification)}
          <h2>{t('hl.byCountry')}</h2>
          {list(s.byHostingCountry)}
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
