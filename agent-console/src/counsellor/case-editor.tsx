// One saved case record, reopened from "My cases" ('#/cases/<id>'): complete or correct it, set its
// follow-up day, and see its history (who changed which fields, when; never the words). The server
// lets only the record's own counsellor or a supervisor read or change it, and audits both.
import { useEffect, useState } from 'preact/hooks';
import type { CaseDetailResponse } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, useLanguage, errorText, formatDate, formatDateTime } from '../i18n/index.js';
import { CaseForm } from './case-form.js';

const FIELD_LABEL: Record<string, string> = {
  contactType: 'case.contactType',
  ageGroup: 'case.ageGroup',
  gender: 'case.gender',
  categories: 'case.categories',
  platform: 'case.platform',
  riskLevel: 'case.riskLevel',
  summary: 'case.summary',
  outcome: 'case.outcome',
  followUpOn: 'followUp.on',
  followUpDone: 'followUp.doneField',
};

export function CaseEditor({ id }: { id: string }) {
  useLanguage();
  const [detail, setDetail] = useState<CaseDetailResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const load = () =>
    api
      .get<CaseDetailResponse>(`/api/cases/${id}`)
      .then(setDetail)
      .catch((err) => setError(err instanceof ApiError ? errorText(err) : t('common.error')));
  useEffect(() => {
    setDetail(null);
    setSaved(false);
    void load();
  }, [id]);

  const r = detail?.caseRecord;
  return (
    <section class="page case-editor" aria-labelledby="case-editor-title">
      <p>
        <a href="#/cases">{t('cases.back')}</a>
      </p>
      <h1 id="case-editor-title">{r ? t('cases.recordOf', { date: formatDateTime(r.createdAt) }) : t('cases.record')}</h1>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {!r && !error && <p role="status">{t('common.loading')}</p>}
      {r && (
        <>
          <p class="muted" data-testid="follow-up-state">
            {r.followUpOn
              ? r.followUpDoneAt
                ? t('followUp.doneOn', { date: formatDate(`${r.followUpOn}T12:00:00Z`), done: formatDateTime(r.followUpDoneAt) })
                : t('followUp.dueOn', { date: formatDate(`${r.followUpOn}T12:00:00Z`) })
              : t('followUp.notSet')}
          </p>
          <div aria-live="polite">{saved && <p class="ok">{t('cases.saved')}</p>}</div>
          <div class="card">
            <CaseForm
              key={r.updatedAt}
              mode={{ kind: 'edit', record: r }}
              onDone={() => {
                setSaved(true);
                void load();
              }}
            />
          </div>
          <section class="card" aria-labelledby="case-history-title">
            <h2 id="case-history-title">{t('cases.history')}</h2>
            {detail.history.length === 0 ? (
              <p class="muted">{t('cases.noChanges')}</p>
            ) : (
              <ul class="case-history" data-testid="case-history">
                {detail.history.map((h, i) => (
                  <li key={i}>
                    {t('cases.change', {
                      time: formatDateTime(h.at),
                      who: h.staffName ?? t('common.none'),
                      fields: h.fields.map((f) => (FIELD_LABEL[f] ? t(FIELD_LABEL[f]!) : f)).join(', '),
                    })}
                  </li>
                ))}
              </ul>
            )}
          </section>
        </>
      )}
    </section>
  );
}
