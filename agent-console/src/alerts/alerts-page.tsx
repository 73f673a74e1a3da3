// Trend alerts for analysts and admins: write a draft in the centre's languages, submit it, and a
// second person (never the author) approves or sends it back; anyone of them withdraws. Texts are
// shown as text, never as HTML.
import { useEffect, useState } from 'preact/hooks';
import { ALERT_LIMITS, ALERT_SEVERITIES, type AlertInput, type AlertSeverity, type AlertText, type Language, type StaffAlert } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { errorText, formatDateTime, getLanguage, t, useLanguage } from '../i18n/index.js';
import { useSession } from '../session.js';
import './i18n.js';

/** The languages an analyst writes in; Serbian Latin is generated from Cyrillic by the server. */
const WRITTEN: Language[] = ['bg', 'sr-Cyrl', 'en'];
const DAY = 24 * 3600_000;

interface Draft {
  severity: AlertSeverity;
  /** `datetime-local` value, in the browser's time zone. */
  expires: string;
  texts: Record<string, AlertText>;
}

const localInput = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
};
const emptyText = (): AlertText => ({ title: '', text: '', advice: '' });
const blank = (): Draft => ({ severity: 'warning', expires: localInput(new Date(Date.now() + 14 * DAY)), texts: Object.fromEntries(WRITTEN.map((l) => [l, emptyText()])) });
const fromAlert = (a: StaffAlert): Draft => ({ severity: a.severity, expires: localInput(new Date(a.expiresAt)), texts: Object.fromEntries(WRITTEN.map((l) => [l, a.texts[l] ?? emptyText()])) });

function toInput(d: Draft): AlertInput {
  const texts: AlertInput['texts'] = {};
  for (const l of WRITTEN) {
    const x = d.texts[l]!;
    if (x.title.trim() || x.text.trim() || x.advice.trim()) texts[l] = x;
  }
  return { severity: d.severity, expiresAt: new Date(d.expires).toISOString(), texts };
}

/** The alert's title in the staff member's language, else in the first language it has. */
function titleOf(a: StaffAlert): string {
  const lang = getLanguage();
  return (a.texts[lang] ?? a.texts[lang === 'sr-Latn' ? 'sr-Cyrl' : lang] ?? Object.values(a.texts)[0])?.title ?? '';
}

export function AlertsPage() {
  useLanguage();
  const { profile } = useSession();
  const [list, setList] = useState<StaffAlert[] | null>(null);
  const [editing, setEditing] = useState<{ id: string | null; draft: Draft }>({ id: null, draft: blank() });
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);

  const load = () =>
    api
      .get<{ alerts: StaffAlert[] }>('/api/alerts')
      .then((r) => setList(r.alerts))
      .catch(() => setError(t('common.error')));
  useEffect(() => void load(), []);

  const run = async (what: () => Promise<unknown>, done: string) => {
    setError(null);
    setStatus(null);
    try {
      await what();
      setStatus(done);
      await load();
      return true;
    } catch (err) {
      setError(err instanceof ApiError ? errorText(err) : t('common.error'));
      return false;
    }
  };

  const save = async (e: Event) => {
    e.preventDefault();
    const input = toInput(editing.draft);
    const ok = await run(() => (editing.id ? api.put(`/api/alerts/${editing.id}`, input) : api.post('/api/alerts', input)), t('alerts.saved'));
    if (ok) setEditing({ id: null, draft: blank() });
  };
  const step = (a: StaffAlert, s: 'submit' | 'approve' | 'send-back' | 'withdraw') => void run(() => api.post(`/api/alerts/${a.id}/${s}`, {}), t(`alerts.done.${s}`));
  const setText = (l: Language, k: keyof AlertText, v: string) =>
    setEditing((cur) => ({ ...cur, draft: { ...cur.draft, texts: { ...cur.draft.texts, [l]: { ...cur.draft.texts[l]!, [k]: v } } } }));

  return (
    <section class="page alerts-page">
      <h1>{t('nav.alerts')}</h1>
      <p>{t('alerts.intro')}</p>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <p role="status">{status ?? ''}</p>
      {list && list.length === 0 && <p>{t('alerts.none')}</p>}
      {list && list.length > 0 && (
        <table class="list" aria-label={t('alerts.list')}>
          <thead>
            <tr>
              <th scope="col">{t('alerts.col.title')}</th>
              <th scope="col">{t('alerts.severity')}</th>
              <th scope="col">{t('alerts.col.state')}</th>
              <th scope="col">{t('alerts.expires')}</th>
              <th scope="col">{t('alerts.col.author')}</th>
              <th scope="col">{t('alerts.col.approvedBy')}</th>
              <th scope="col">{t('alerts.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((a) => {
              const mine = a.author.id === profile.id;
              const title = titleOf(a);
              return (
                <tr key={a.id} data-testid="alert-row">
                  <td>{title}</td>
                  <td>{t(`alerts.severity.${a.severity}`)}</td>
                  <td>{t(`alerts.state.${a.state}`)}</td>
                  <td>{formatDateTime(a.expiresAt)}</td>
                  <td>{a.author.name}</td>
                  <td>{a.approvedBy?.name ?? (a.withdrawnBy ? t('alerts.withdrawnBy', { name: a.withdrawnBy.name }) : t('common.none'))}</td>
                  <td class="row">
                    {mine && a.state === 'draft' && (
                      <>
                        <button type="button" aria-label={t('alerts.editOne', { title })} onClick={() => setEditing({ id: a.id, draft: fromAlert(a) })}>
                          {t('common.edit')}
                        </button>
                        <button type="button" aria-label={t('alerts.submitOne', { title })} onClick={() => step(a, 'submit')}>
                          {t('alerts.submit')}
                        </button>
                      </>
                    )}
                    {!mine && a.state === 'awaiting_approval' && (
                      <>
                        <button type="button" aria-label={t('alerts.approveOne', { title })} onClick={() => step(a, 'approve')}>
                          {t('alerts.approve')}
                        </button>
                        <button type="button" aria-label={t('alerts.sendBackOne', { title })} onClick={() => step(a, 'send-back')}>
                          {t('alerts.sendBack')}
                        </button>
                      </>
                    )}
                    {mine && a.state === 'awaiting_approval' && <span>{t('alerts.waitingForSecond')}</span>}
                    {(a.state === 'awaiting_approval' || a.state === 'published') && (
                      <button type="button" aria-label={t('alerts.withdrawOne', { title })} onClick={() => step(a, 'withdraw')}>
                        {t('alerts.withdraw')}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}

      <form class="editor" onSubmit={save} aria-labelledby="alert-form-title">
        <h2 id="alert-form-title">{editing.id ? t('alerts.edit') : t('alerts.new')}</h2>
        <label>
          {t('alerts.severity')}
          <select value={editing.draft.severity} onChange={(e) => setEditing((c) => ({ ...c, draft: { ...c.draft, severity: e.currentTarget.value as AlertSeverity } }))}>
            {ALERT_SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {t(`alerts.severity.${s}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('alerts.expires')}
          <input type="datetime-local" required value={editing.draft.expires} onInput={(e) => setEditing((c) => ({ ...c, draft: { ...c.draft, expires: e.currentTarget.value } }))} />
        </label>
        {WRITTEN.map((l) => (
          <fieldset key={l} data-lang={l}>
            <legend>{t(`lang.${l}`)}</legend>
            <label>
              {t('alerts.title')}
              <input type="text" name={`title-${l}`} maxLength={ALERT_LIMITS.titleMaxChars} value={editing.draft.texts[l]!.title} onInput={(e) => setText(l, 'title', e.currentTarget.value)} />
            </label>
            <label class="wide">
              {t('alerts.text')}
              <textarea name={`text-${l}`} rows={3} maxLength={ALERT_LIMITS.textMaxChars} value={editing.draft.texts[l]!.text} onInput={(e) => setText(l, 'text', e.currentTarget.value)} />
            </label>
            <label class="wide">
              {t('alerts.advice')}
              <textarea name={`advice-${l}`} rows={2} maxLength={ALERT_LIMITS.adviceMaxChars} value={editing.draft.texts[l]!.advice} onInput={(e) => setText(l, 'advice', e.currentTarget.value)} />
            </label>
          </fieldset>
        ))}
        <p class="hint">{t('alerts.latinHint')}</p>
        <div class="row">
          <button type="submit">{t('alerts.saveDraft')}</button>
          {editing.id && (
            <button type="button" onClick={() => setEditing({ id: null, draft: blank() })}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
