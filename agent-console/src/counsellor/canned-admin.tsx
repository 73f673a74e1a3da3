// Admin: canned responses per language.
import { useEffect, useState } from 'preact/hooks';
import { LANGUAGES, type CannedResponse, type CannedResponseInput, type Language } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { EditorForm, ListTable, useListEditor } from '../components/list-editor.js';
import { t, useLanguage, errorText as i18nErrorText } from '../i18n/index.js';
import { forgetCanned } from './canned.js';

const blank = (language: Language): CannedResponseInput => ({ language, shortcut: '', title: '', body: '' });

export function CannedAdminPage() {
  useLanguage();
  const [language, setLanguage] = useState<Language>('bg');
  const [list, setList] = useState<CannedResponse[]>([]);
  const load = (l: Language): Promise<void> =>
    api
      .get<{ responses: CannedResponse[] }>(`/api/canned?language=${encodeURIComponent(l)}`)
      .then((r) => setList(r.responses))
      .catch(() => setError(t('common.error')));
  const { editing, set, edit, reset, save, error, setError } = useListEditor<CannedResponseInput>({
    blank: () => blank(language),
    endpoint: '/api/canned',
    afterSave: () => {
      forgetCanned(language);
      return load(language);
    },
    errorText: (err) => (err instanceof ApiError ? i18nErrorText(err) : t('common.error')),
  });
  useEffect(() => {
    void load(language);
    reset();
  }, [language]);

  const remove = async (id: string) => {
    await api.del(`/api/canned/${id}`);
    forgetCanned(language);
    await load(language);
  };

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
      <ListTable
        headers={[t('canned.shortcut'), t('canned.title'), t('canned.body')]}
        items={list}
        cells={(c) => (
          <>
            <td>/{c.shortcut}</td>
            <td>{c.title}</td>
            <td class="pre">{c.body}</td>
          </>
        )}
        name={(c) => c.title}
        onEdit={(c) => edit(c.id, { language: c.language, shortcut: c.shortcut, title: c.title, body: c.body })}
        onDelete={(c) => void remove(c.id)}
        actionsClass="row"
      />
      <EditorForm label={t('canned.new')} editingId={editing.id} error={error} onSubmit={save} onCancel={reset}>
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
      </EditorForm>
    </section>
  );
}
