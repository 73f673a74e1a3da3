// One report: what the reporter wrote (as text), its URLs with assessments, actions and outcome, history.
// Analysts act; supervisors and admins read and decide on police referrals. Every load is an audited read.
import { useEffect, useState } from 'preact/hooks';
import type { HotlineReportDetail } from '@helpline/shared';
import { api } from '../api.js';
import { t, formatDateTime, getLanguage } from '../i18n/index.js';
import { useSession } from '../session.js';
import { UrlItem } from './url-item.js';
import { ActionsPanel } from './actions-panel.js';
import { ClaimBar } from './claim-bar.js';

export function ReportView({ id }: { id: string }) {
  const { profile } = useSession();
  const [d, setD] = useState<HotlineReportDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<HotlineReportDetail>(`/api/hotline/reports/${encodeURIComponent(id)}`)
      .then(setD)
      .catch(() => setError(t('common.error')));
  }, [id]);

  if (error)
    return (
      <p class="error" role="alert">
        {error}
      </p>
    );
  if (!d) return <p role="status">{t('common.loading')}</p>;
  const analyst = profile.role === 'analyst';
  // Assessing needs the claim (the server refuses it otherwise): the forms show to its holder only.
  const canAssess = analyst && d.status !== 'closed' && d.claim?.staffId === profile.id;
  const setStatus = async (status: 'in_assessment' | 'closed') => {
    try {
      setD(await api.post<HotlineReportDetail>(`/api/hotline/reports/${d.id}/status`, { status }));
    } catch {
      setError(t('common.error'));
    }
  };

  return (
    <article class="page hotline" aria-labelledby="hl-report-title">
      <p>
        <a href="#/hotline">{t('hl.back')}</a>
      </p>
      <div class="row hl-head">
        <h1 id="hl-report-title">{t('hl.report', { reference: d.reference })}</h1>
        <span class={`hl-status hl-status-${d.status}`} data-testid="hl-status">
          {t(`hl.status.${d.status}`)}
        </span>
      </div>
      {d.takedownOverdueSince && (
        <p class="hl-earlier" role="note" data-testid="hl-overdue">
          {t('hl.takedownOverdueSince', { since: formatDateTime(d.takedownOverdueSince) })}
        </p>
      )}
      <ClaimBar report={d} me={profile} onChange={setD} />
      <dl class="hl-meta card">
        <dt>{t('hl.col.received')}</dt>
        <dd>{formatDateTime(d.createdAt)}</dd>
        <dt>{t('hl.col.source')}</dt>
        <dd>{t(`hl.source.${d.source}`)}</dd>
        <dt>{t('hl.contentType')}</dt>
        <dd>{d.contentType ? t(`hl.ct.${d.contentType}`) : t('common.none')}</dd>
        <dt>{t('hl.whereFound')}</dt>
        <dd>{d.whereFound ?? t('common.none')}</dd>
        <dt>{t('hl.description')}</dt>
        <dd>{d.description ?? t('common.none')}</dd>
        {analyst ? (
          <>
            <dt>{t('hl.reporterEmail')}</dt>
            <dd>{d.reporterEmail ?? t('hl.anonymous')}</dd>
          </>
        ) : (
          d.wantsFeedback && (
            <>
              <dt>{t('hl.reporterEmail')}</dt>
              <dd>{t('hl.feedbackWanted')}</dd>
            </>
          )
        )}
        {d.conversationId && (
          <>
            <dt>{t('hl.conversation')}</dt>
            <dd>{d.conversationId}</dd>
          </>
        )}
      </dl>

      <section aria-labelledby="hl-urls-title">
        <h2 id="hl-urls-title">{t('hl.urls')}</h2>
        <p class="muted">{t('hl.urlsNote')}</p>
        <ol class="hl-urls">
          {d.urls.map((u, i) => (
            <UrlItem key={u.id} reportId={d.id} index={i} url={u} canAssess={canAssess} onChange={setD} />
          ))}
        </ol>
      </section>

      <ActionsPanel report={d} role={profile.role} onChange={setD} />

      <div class="row">
        {analyst && d.status === 'new' && (
          <button type="button" onClick={() => void setStatus('in_assessment')}>
            {t('hl.startAssessment')}
          </button>
        )}
        {analyst && d.status !== 'closed' && (
          <button type="button" class="danger" onClick={() => void setStatus('closed')}>
            {t('hl.close')}
          </button>
        )}
        <a href={`/api/hotline/reports/${d.id}/export?format=csv&lang=${getLanguage()}`} download>
          {t('hl.exportReport')}
        </a>
      </div>

      <section aria-labelledby="hl-history-title">
        <h2 id="hl-history-title">{t('hl.history')}</h2>
        <ol>
          {d.history.map((h, i) => (
            <li key={i}>
              {formatDateTime(h.at)}: {h.from ? `${t(`hl.status.${h.from}`)} → ` : ''}
              {t(`hl.status.${h.to}`)}
            </li>
          ))}
        </ol>
      </section>
    </article>
  );
}
