// The hotline section: the queue ('/hotline'), one report ('/hotline/<id>'), figures ('/hotline/stats').
import { useEffect, useState } from 'preact/hooks';
import { HOTLINE_CLASSIFICATIONS, HOTLINE_STATUSES, type HotlineReportSummary, type HotlineStatus } from '@helpline/shared';
import { api } from '../api.js';
import { t, useLanguage, formatDateTime } from '../i18n/index.js';
import { navigate } from '../router.js';
import type { RouteProps } from '../routes.js';
import { ReportView } from './report-view.js';
import { StatsPanel } from './stats.js';
import { waitedText } from './wait.js';
import './i18n.js';
import './hotline.css';

const OPEN: HotlineStatus[] = ['new', 'in_assessment', 'assessed', 'forwarded'];

export function HotlinePage({ subpath }: RouteProps) {
  useLanguage();
  const id = subpath.replace(/^\//, '');
  if (id === 'stats') return <StatsPanel />;
  if (id) return <ReportView key={id} id={id} />;
  return <Queue />;
}

type Filters = { status: string; q: string; from: string; to: string; hostingCountry: string; classification: string; takedown: string };
const NO_FILTERS: Filters = { status: 'open', q: '', from: '', to: '', hostingCountry: '', classification: '', takedown: '' };

function Queue() {
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [rows, setRows] = useState<HotlineReportSummary[] | null>(null);
  const [error, setError] = useState(false);
  const [now, setNow] = useState(Date.now());
  const load = () => {
    setError(false);
    const qs = new URLSearchParams(Object.entries(filters).filter(([k, v]) => v && !(k === 'status' && v === 'all')));
    api
      .get<HotlineReportSummary[]>(`/api/hotline/reports${qs.size ? `?${qs}` : ''}`)
      .then((r) => {
        setRows(r);
        setNow(Date.now());
      })
      .catch(() => setError(true));
  };
  useEffect(load, [filters]);
  // Waiting times move on while the queue is open.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 60_000);
    return () => clearInterval(timer);
  }, []);
  const set = (k: keyof Filters) => (e: Event) => setDraft({ ...draft, [k]: (e.currentTarget as HTMLInputElement).value });
  const search = (e: Event) => {
    e.preventDefault();
    setFilters({ ...draft, hostingCountry: draft.hostingCountry.trim().toUpperCase(), q: draft.q.trim() });
  };
  const clear = () => {
    setDraft(NO_FILTERS);
    setFilters(NO_FILTERS);
  };
  const waiting = (r: HotlineReportSummary) => OPEN.includes(r.status);

  return (
    <section class="page hotline" aria-labelledby="hl-queue-title">
      <div class="row hl-head">
        <h1 id="hl-queue-title">{t('hl.queue')}</h1>
        <button type="button" onClick={load}>
          {t('hl.refresh')}
        </button>
        <a href="#/hotline/stats">{t('hl.stats')}</a>
      </div>
      <form role="search" aria-label={t('hl.search')} onSubmit={search} class="hl-search">
        <div class="grid-form">
          <label for="hl-q" class="wide">
            {t('hl.search.q')}
            <input id="hl-q" type="search" value={draft.q} onInput={set('q')} autocomplete="off" />
          </label>
          <label for="hl-f-status">
            {t('hl.filter')}
            <select id="hl-f-status" value={draft.status} onChange={set('status')}>
              <option value="open">{t('hl.filter.open')}</option>
              <option value="all">{t('hl.filter.all')}</option>
              {HOTLINE_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`hl.status.${s}`)}
                </option>
              ))}
            </select>
          </label>
          <label for="hl-f-from">
            {t('hl.search.from')}
            <input id="hl-f-from" type="date" value={draft.from} onInput={set('from')} />
          </label>
          <label for="hl-f-to">
            {t('hl.search.to')}
            <input id="hl-f-to" type="date" value={draft.to} onInput={set('to')} />
          </label>
          <label for="hl-f-country">
            {t('hl.hostingCountry')}
            <input id="hl-f-country" value={draft.hostingCountry} onInput={set('hostingCountry')} maxLength={2} autocomplete="off" />
          </label>
          <label for="hl-f-cls">
            {t('hl.classification')}
            <select id="hl-f-cls" value={draft.classification} onChange={set('classification')}>
              <option value="">{t('hl.search.anyCls')}</option>
              {HOTLINE_CLASSIFICATIONS.map((c) => (
                <option key={c} value={c}>
                  {t(`hl.cls.${c}`)}
                </option>
              ))}
              <option value="unassessed">{t('hl.notAssessed')}</option>
            </select>
          </label>
          <label for="hl-f-overdue" class="hl-inline">
            <input id="hl-f-overdue" type="checkbox" checked={draft.takedown === 'overdue'} onChange={(e) => setDraft({ ...draft, takedown: e.currentTarget.checked ? 'overdue' : '' })} />
            {t('hl.search.overdue')}
          </label>
        </div>
        <div class="row">
          <button type="submit" class="primary">
            {t('hl.search.go')}
          </button>
          <button type="button" onClick={clear}>
            {t('hl.search.clear')}
          </button>
        </div>
      </form>
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
              <th scope="col">{t('hl.col.waiting')}</th>
              <th scope="col">{t('hl.col.source')}</th>
              <th scope="col">{t('hl.col.status')}</th>
              <th scope="col">{t('hl.col.urls')}</th>
              <th scope="col">{t('hl.col.holder')}</th>
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
                <td data-testid="hl-waiting">{waiting(r) ? waitedText(r.createdAt, now) : t('common.none')}</td>
                <td>{t(`hl.source.${r.source}`)}</td>
                <td>
                  <span class={`hl-status hl-status-${r.status}`}>{t(`hl.status.${r.status}`)}</span>
                  {r.pendingApproval && <span class="hl-badge">{t('hl.pendingApproval')}</span>}
                  {r.takedownOverdueSince && <span class="hl-badge">{t('hl.takedownOverdue')}</span>}
                </td>
                <td>
                  {t('hl.urlsAssessed', { done: r.assessedUrlCount, all: r.urlCount })}
                  {r.knownUrlCount > 0 && <span class="muted"> · {t('hl.known', { n: r.knownUrlCount })}</span>}
                </td>
                <td data-testid="hl-holder">{r.claim ? r.claim.name : t('common.none')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
