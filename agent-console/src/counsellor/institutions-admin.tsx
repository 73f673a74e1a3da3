// Admin: the institutions cases are referred to.
import { useEffect, useState } from 'preact/hooks';
import { INSTITUTION_KINDS, type Institution, type InstitutionInput, type InstitutionKind } from '@helpline/shared';
import { api } from '../api.js';
import { EditorForm, ListTable, useListEditor } from '../components/list-editor.js';
import { t, seeded, useLanguage } from '../i18n/index.js';
import { matchesSearch, SearchField } from '../components/search.js';

const blank = (): InstitutionInput => ({ name: '', kind: 'social-services', contact: '', active: true });

export function InstitutionsAdminPage() {
  useLanguage();
  const [list, setList] = useState<Institution[]>([]);
  const [query, setQuery] = useState('');
  const load = (): Promise<void> =>
    api
      .get<{ institutions: Institution[] }>('/api/institutions?all=1')
      .then((r) => setList(r.institutions))
      .catch(() => setError(t('common.error')));
  const { editing, set, edit, reset, save, error, setError } = useListEditor<InstitutionInput>({
    blank,
    endpoint: '/api/institutions',
    toBody: (input) => ({ ...input, contact: input.contact?.trim() ? input.contact.trim() : null }),
    afterSave: load,
  });
  useEffect(() => void load(), []);

  return (
    <section class="page">
      <h1>{t('inst.title')}</h1>
      <SearchField value={query} onInput={setQuery} />
      <ListTable
        headers={[t('inst.name'), t('inst.kind'), t('inst.contact'), t('inst.active')]}
        items={list.filter((i) => matchesSearch(query, i.name, i.contact))}
        cells={(i) => (
          <>
            <td>{seeded(i.name)}</td>
            <td>{t('kind.' + i.kind)}</td>
            <td>{i.contact ?? ''}</td>
            <td>{i.active ? t('common.yes') : t('common.no')}</td>
          </>
        )}
        name={(i) => seeded(i.name)}
        onEdit={(i) => edit(i.id, { name: i.name, kind: i.kind, contact: i.contact ?? '', active: i.active })}
      />
      <EditorForm label={t('inst.new')} editingId={editing.id} error={error} onSubmit={save} onCancel={reset}>
        <label>
          {t('inst.name')}
          <input type="text" required maxLength={200} value={editing.input.name} onInput={(e) => set({ name: e.currentTarget.value })} />
        </label>
        <label>
          {t('inst.kind')}
          <select value={editing.input.kind} onChange={(e) => set({ kind: e.currentTarget.value as InstitutionKind })}>
            {INSTITUTION_KINDS.map((k) => (
              <option key={k} value={k}>
                {t('kind.' + k)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('inst.contact')}
          <input type="text" maxLength={500} value={editing.input.contact ?? ''} onInput={(e) => set({ contact: e.currentTarget.value })} />
        </label>
        <label class="check">
          <input type="checkbox" checked={editing.input.active !== false} onChange={(e) => set({ active: e.currentTarget.checked })} />
          {t('inst.active')}
        </label>
      </EditorForm>
    </section>
  );
}
