// Admin: canned responses per language.
import { useEffect, useState } from 'preact/hooks';
import { LANGUAGES, type CannedResponse, type CannedResponseInput, type Language } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, useLanguage } from '../i18n/index.js';
import { forgetCanned } from './canned.js';

const blank = (language: Language): CannedResponseInput => ({ language, shortcut: '', title: '', body: '' });

export function CannedAdminPage() {
  useLanguage();
  const [language, setLanguage] = useState<Language>('bg');
  const [list, setList] = useState<CannedResponse[]>([]);
  const [editing, setEditing] = useState<{ id: string | null; input: CannedResponseInput }>({ id: null, input: blank('bg') });
  const [error, setError] = useState<string | null>(null);

  const load = (l: Language) =>
    api
      .get<{ responses: CannedResponse[] }>(`/api/canned?language=${encodeURIComponent(l)}`)
      .then((r) => setList(r.responses))
      .catch(() => setError(t('common.error')));
  useEffect(() => {
    void load(language);
    setEditing({ id: null, input: blank(language) });
  }, [language]);

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      if (editing.id) await api.put(`/api/canned/${editing.id}`, editing.input);
      else await api.post('/api/canned', editing.input);
      forgetCanned(language);
      setEditing({ id: null, input: blank(language) });
      await load(language);
    } catch (err) {
      setError(err instanceof ApiError ? (err.fields.map((f) => `${f.path}: ${f.message}`).join('; ') || err.message) : t('common.error'));
    }
  };
  const remove = async (id: string) => {
    await api.del(`/api/canned/${id}`);
    forgetCanned(language);
    await load(language);
  };
  const set = (patch: Partial<CannedResponseInput>) => setEditing((e) => ({ ...e, input: { ...e.input, ...patch } }));

  return (
    <section class="page">
      <h1>{t('nav.canned')}</h1>
      <label class="inline">
        {t('canned.language')}
        <select value={language} onChange={(e) => setLanguage(e.currentTarget.value as Language)}>
          {LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {t('language.' + l)}
            </option>
          ))}
        </select>
      </label>
      <table class="list">
        <thead>
          <tr>
            <th>{t('canned.shortcut')}</th>
            <th>{t('canned.title')}</th>
            <th>{t('canned.body')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((c) => (
            <tr key={c.id}>
              <td>/{c.shortcut}</td>
              <td>{c.title}</td>
              <td class="pre">{c.body}</td>
              <td class="row">
                <button type="button" aria-label={`${t('common.edit')}: ${c.title}`} onClick={() => setEditing({ id: c.id, input: { language: c.language, shortcut: c.shortcut, title: c.title, body: c.body } })}>
                  {t('common.edit')}
                </button>
                <button type="button" class="danger" aria-label={`${t('common.delete')}: ${c.title}`} onClick={() => void remove(c.id)}>
                  {t('common.delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card grid-form" onSubmit={save} aria-label={t('canned.new')}>
        <label>
          {t('canned.shortcut')}
          <input type="text" required maxLength={32} value={editing.input.shortcut} onInput={(e) => set({ shortcut: e.currentTarget.value })} />
        </label>
        <label>
          {t('canned.title')}
          <input type="text" required maxLength={120} value={editing.input.title} onInput={(e) => set({ title: e.currentTarget.value })} />
        </label>
        <label class="wide">
          {t('canned.body')}
          <textarea required rows={3} value={editing.input.body} onInput={(e) => set({ body: e.currentTarget.value })} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row">
          <button type="submit" class="primary">
            {editing.id ? t('common.save') : t('common.add')}
          </button>
          {editing.id && (
            <button type="button" onClick={() => setEditing({ id: null, input: blank(language) })}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
