// Case records: a counsellor finds the records she wrote (a supervisor everyone's, or her own) by a
// word of the summary, a category and a period, newest first, and reads them. The server limits a
// counsellor to her own records and audits each search (GET /api/cases). From the list a record opens
// to be completed ('#/cases/<id>', case-editor.tsx); due follow-ups come first.
import { useEffect, useState } from 'preact/hooks';
import { INSAFE_CATEGORIES, type CaseRecord, type CaseSearchResponse } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, useLanguage, errorText } from '../i18n/index.js';
import { useSession } from '../session.js';
import { CaseSummary } from './case-summary.js';
import { CaseEditor } from './case-editor.js';
import { FollowUpsDue } from './follow-ups.js';
import type { RouteProps } from '../routes.js';

const LIMIT = 50;

export function CasesPage({ subpath }: RouteProps) {
  useLanguage();
  const open = /^\/([0-9a-f-]{36})$/.exec(subpath);
  if (open) return <CaseEditor id={open[1]!} />;
  return <CaseList />;
}

function CaseList() {
  const { profile } = useSession();
  const supervisor = profile.role === 'supervisor';
  const [q, setQ] = useState('');
  const [category, setCategory] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [mine, setMine] = useState(false);
  const [cases, setCases] = useState<CaseRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async () => {
    setError(null);
    setBusy(true);
    const params = new URLSearchParams({ limit: String(LIMIT) });
    if (q.trim()) params.set('q', q.trim());
    if (category) params.set('category', category);
    if (from) params.set('from', from);
    if (to) params.set('to', to);
    if (supervisor && mine) params.set('mine', 'true');
    try {
      setCases((await api.get<CaseSearchResponse>(`/api/cases?${params}`)).cases);
    } catch (err) {
      setCases(null);
      setError(err instanceof ApiError ? errorText(err) : t('common.error'));
    } finally {
      setBusy(false);
    }
  };
  // The newest records at once, as the page opens.
  useEffect(() => void run(), []);

  return (
    <section class="page">
      <h1>{t('cases.title')}</h1>
      <FollowUpsDue />
      <form
        class="row card"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void run();
        }}
      >
        <label>
          {t('cases.word')}
          <input type="search" value={q} minLength={2} maxLength={100} onInput={(e) => setQ(e.currentTarget.value)} />
        </label>
        <label>
          {t('cases.category')}
          <select value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
            <option value="">{t('cases.anyCategory')}</option>
            {INSAFE_CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t('cat.' + c)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('cases.from')}
          <input type="date" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          {t('cases.to')}
          <input type="date" value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
        {supervisor && (
          <label class="check">
            <input type="checkbox" checked={mine} onChange={(e) => setMine(e.currentTarget.checked)} />
            {t('cases.mine')}
          </label>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('cases.search')}
        </button>
      </form>
      <p class="muted">
        {supervisor ? '' : `${t('cases.own')} `}
        {t('cases.audit')}
      </p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <div aria-live="polite">
        {cases && cases.length === 0 && <p>{t('cases.none')}</p>}
        {cases && cases.length > 0 && <p>{t('cases.found', { n: cases.length })}</p>}
        {cases && cases.length >= LIMIT && <p class="muted">{t('cases.more', { n: LIMIT })}</p>}
      </div>
      {cases?.map((c) => <CaseSummary key={c.id} record={c} openHref={`#/cases/${c.id}`} />)}
    </section>
  );
}
