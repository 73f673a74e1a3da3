// A child gives their return code: the counsellor sees that child's earlier cases (audited).
import { useState } from 'preact/hooks';
import type { CaseRecord, ReturnCodeLookupResponse } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, useLanguage, errorText } from '../i18n/index.js';
import { CaseSummary } from './case-summary.js';

export function ReturnCodeLookupPage() {
  useLanguage();
  const [code, setCode] = useState('');
  const [cases, setCases] = useState<CaseRecord[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setCases(null);
    try {
      setCases((await api.post<ReturnCodeLookupResponse>('/api/cases/by-return-code', { code: code.trim() })).cases);
    } catch (err) {
      setError(err instanceof ApiError && err.code === 'not_found' ? t('returning.notFound') : err instanceof ApiError ? errorText(err) : t('common.error'));
    }
  };

  return (
    <section class="page">
      <h1>{t('returning.title')}</h1>
      <form class="row card" onSubmit={submit}>
        <label>
          {t('returning.code')}
          <input type="text" autocomplete="off" spellcheck={false} value={code} onInput={(e) => setCode(e.currentTarget.value)} required />
        </label>
        <button type="submit" class="primary">
          {t('returning.lookup')}
        </button>
      </form>
      <p class="muted">{t('returning.audit')}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {cases && cases.length === 0 && <p>{t('returning.none')}</p>}
      {cases?.map((c) => <CaseSummary key={c.id} record={c} />)}
    </section>
  );
}
