// Follow-up reminders: the counsellor's own case records whose follow-up day has come and that are not
// done yet. The navigation shows their count; the Cases page lists them with "Mark done". Any change
// made in this console refreshes the count at once (followUpsChanged), and it is re-read every minute.
import { useEffect, useState } from 'preact/hooks';
import type { CaseRecord, FollowUpsResponse } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, useLanguage, errorText, formatDate } from '../i18n/index.js';

const EVENT = 'helpline:follow-ups';
const REFRESH_MS = 60_000;

export function followUpsChanged(): void {
  window.dispatchEvent(new Event(EVENT));
}

export function useFollowUps(): { due: CaseRecord[] | null; error: string | null } {
  const [due, setDue] = useState<CaseRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      api
        .get<FollowUpsResponse>('/api/cases/follow-ups')
        .then((r) => {
          if (!live) return;
          setDue(r.cases);
          setError(null);
        })
        .catch((err) => live && setError(err instanceof ApiError ? errorText(err) : t('common.error')));
    void load();
    const id = setInterval(load, REFRESH_MS);
    window.addEventListener(EVENT, load);
    return () => {
      live = false;
      clearInterval(id);
      window.removeEventListener(EVENT, load);
    };
  }, []);
  return { due, error };
}

/** The count in the navigation entry of the Cases page. */
export function FollowUpsBadge() {
  useLanguage();
  const { due } = useFollowUps();
  const n = due?.length ?? 0;
  if (n === 0) return null;
  return (
    <span class="badge nav-badge" data-testid="follow-ups-badge">
      <span aria-hidden="true">{n}</span>
      <span class="visually-hidden">{t('followUp.badge', { n })}</span>
    </span>
  );
}

/** The due follow-ups at the top of the Cases page. */
export function FollowUpsDue() {
  useLanguage();
  const { due, error } = useFollowUps();
  const [failed, setFailed] = useState<string | null>(null);
  const done = async (c: CaseRecord) => {
    setFailed(null);
    try {
      await api.post<CaseRecord>(`/api/cases/${c.id}/follow-up/done`, {});
      followUpsChanged();
    } catch (err) {
      setFailed(err instanceof ApiError ? errorText(err) : t('common.error'));
    }
  };
  return (
    <section class="card follow-ups" aria-labelledby="follow-ups-title">
      <h2 id="follow-ups-title">
        {t('followUp.title')} {due && due.length > 0 && <span class="badge">{due.length}</span>}
      </h2>
      {(error || failed) && (
        <p class="error" role="alert">
          {failed ?? error}
        </p>
      )}
      {due && due.length === 0 && <p class="muted">{t('followUp.none')}</p>}
      {due && due.length > 0 && (
        <ul class="follow-up-list">
          {due.map((c) => (
            <li key={c.id} data-testid="follow-up">
              <span>
                <strong>{t('followUp.dueOn', { date: formatDate(`${c.followUpOn}T12:00:00Z`) })}</strong> · {c.categories.map((x) => t('cat.' + x)).join(', ')} ·{' '}
                {t('cases.savedOn', { date: formatDate(c.createdAt) })}
              </span>
              <a href={`#/cases/${c.id}`} aria-label={t('followUp.openCase', { date: formatDate(c.createdAt) })}>
                {t('cases.open')}
              </a>
              <button type="button" onClick={() => void done(c)}>
                {t('followUp.markDone')}
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
