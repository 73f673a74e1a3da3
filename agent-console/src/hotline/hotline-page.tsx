// The hotline section: the queue ('/hotline'), one report ('/hotline/<id>'), figures ('/hotline/stats').
import { useEffect, useState } from 'preact/hooks';
import type { HotlineReportSummary } from '@helpline/shared';
import { api } from '../api.js';
import { t, useLanguage, formatDateTime } from '../i18n/index.js';
import { navigate } from '../router.js';
import type { RouteProps } from '../routes.js';
import { ReportView } from './report-view.js';
import { StatsPanel } from './stats.js';
import './i18n.js';
import './hotline.css';

export function HotlinePage({ subpath }: RouteProps) {
  useLanguage();
  const id = subpath.replace(/^\//, '');
  if (id === 'stats') return <StatsPanel />;
  if (id) return <ReportView key={id} id={id} />;
  return <Queue />;
}

function Queue() {
  const [filter, setFilter] = useState<'open' | 'all'>('open');
  const [rows, setRows] = useState<HotlineReportSummary[] | null>(null);
  const [error, setError] = useState(false);
  const load = () => {
    setError(false);
    api
      .get<HotlineReportSummary[]>(`/api/hotline/reports${filter === 'open' ? '?status=open' : ''}`)
      .then(setRows)
      .catch(() => setError(true));
  };
  useEffect(load, [filter]);

  return (
    <section class="page hotline" aria-labelledby="hl-queue-title">
      <div class="row hl-head">
        <h1 id="hl-queue-title">{t('hl.queue')}</h1>
        <label class="hl-inline">
          {t('hl.filter')}
          <select value={filter} onChange={(e) => setFilter(e.currentTarget.value as 'open' | 'all')}>
            <option value="open">{t('hl.filter.open')}</option>
            <option value="all">{t('hl.filter.all')}</option>
          </select>
        </label>
        <button type="button" onClick={load}>
          {t('hl.refresh')}
        </button>
        <a href="#/hotline/stats">{t('hl.stats')}</a>
      </div>
      {error && (
        <p class="error" role="alert">
          {t('common.error')}
        </p>
      )}
      {rows === null ? (
        <p role="status">{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p>{t('hl.empty')}</p>
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">{t('hl.col.reference')}</th>
              <th scope="col">{t('hl.col.received')}</th>
              <th scope="col">{t('hl.col.source')}</th>
              <th scope="col">{t('hl.col.status')}</th>
              <th scope="col">{t('hl.col.urls')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>
                  <button type="button" class="linklike" aria-label={t('hl.open', { reference: r.reference })} onClick={() => navigate(`/hotline/${r.id}`)}>
                    {r.reference}
                  </button>
                </td>
                <td>{formatDateTime(r.createdAt)}</td>
                <td>{t(`hl.source.${r.source}`)}</td>
                <td>
                  <span class={`hl-status hl-status-${r.status}`}>{t(`hl.status.${r.status}`)}</span>
                  {r.pendingApproval && <span class="hl-badge">{t('hl.pendingApproval')}</span>}
                </td>
                <td>
                  {t('hl.urlsAssessed', { done: r.assessedUrlCount, all: r.urlCount })}
                  {r.knownUrlCount > 0 && <span class="muted"> · {t('hl.known', { n: r.knownUrlCount })}</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
