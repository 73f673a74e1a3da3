// Admin: the institutions cases are referred to.
import { useEffect, useState } from 'preact/hooks';
import { INSTITUTION_KINDS, type Institution, type InstitutionInput, type InstitutionKind } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, useLanguage } from '../i18n/index.js';

const blank = (): InstitutionInput => ({ name: '', kind: 'social-services', contact: '', active: true });

export function InstitutionsAdminPage() {
  useLanguage();
  const [list, setList] = useState<Institution[]>([]);
  const [editing, setEditing] = useState<{ id: string | null; input: InstitutionInput }>({ id: null, input: blank() });
  const [error, setError] = useState<string | null>(null);
  const load = () =>
    api
      .get<{ institutions: Institution[] }>('/api/institutions?all=1')
      .then((r) => setList(r.institutions))
      .catch(() => setError(t('common.error')));
  useEffect(() => void load(), []);
  const set = (patch: Partial<InstitutionInput>) => setEditing((e) => ({ ...e, input: { ...e.input, ...patch } }));

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const body = { ...editing.input, contact: editing.input.contact?.trim() ? editing.input.contact.trim() : null };
    try {
      if (editing.id) await api.put(`/api/institutions/${editing.id}`, body);
      else await api.post('/api/institutions', body);
      setEditing({ id: null, input: blank() });
      await load();
    } catch (err) {
      setError(err instanceof ApiError ? err.message : t('common.error'));
    }
  };

  return (
    <section class="page">
      <h1>{t('inst.title')}</h1>
      <table class="list">
        <thead>
          <tr>
            <th>{t('inst.name')}</th>
            <th>{t('inst.kind')}</th>
            <th>{t('inst.contact')}</th>
            <th>{t('inst.active')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {list.map((i) => (
            <tr key={i.id}>
              <td>{i.name}</td>
              <td>{t('kind.' + i.kind)}</td>
              <td>{i.contact ?? ''}</td>
              <td>{i.active ? t('common.yes') : t('common.no')}</td>
              <td>
                <button type="button" aria-label={`${t('common.edit')}: ${i.name}`} onClick={() => setEditing({ id: i.id, input: { name: i.name, kind: i.kind, contact: i.contact ?? '', active: i.active } })}>
                  {t('common.edit')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="card grid-form" onSubmit={save} aria-label={t('inst.new')}>
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
            <button type="button" onClick={() => setEditing({ id: null, input: blank() })}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
