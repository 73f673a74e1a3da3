// Staff accounts: create, edit roles, skills and capacity, set a new password, disable and enable.
import { useEffect, useState } from 'preact/hooks';
import { LANGUAGES, STAFF_ROLES, TOPICS, type Language, type StaffAccount, type StaffRole, type Topic } from '@helpline/shared';
import { api, ApiError } from '../api.js';
import { useSession } from '../session.js';
import { t, errorText } from '../i18n/index.js';
import { Status } from './use-settings.js';
import { matchesSearch, SearchField } from '../components/search.js';

/** An edit as the admin API takes it: a new password is write-only, never part of an account. */
type StaffPatch = Partial<StaffAccount> & { password?: string };

const errText = (err: unknown) =>
  err instanceof ApiError ? errorText(err) : t('common.error');

function Checks<T extends string>({ legend, all, chosen, prefix, onChange }: { legend: string; all: readonly T[]; chosen: T[]; prefix: string; onChange: (v: T[]) => void }) {
  return (
    <fieldset class="checks">
      <legend>{legend}</legend>
      {all.map((x) => (
        <label key={x} class="check">
          <input type="checkbox" checked={chosen.includes(x)} onChange={(e) => onChange(e.currentTarget.checked ? [...chosen, x] : chosen.filter((y) => y !== x))} />
          {t(`${prefix}.${x}`)}
        </label>
      ))}
    </fieldset>
  );
}

export function StaffAdmin() {
  const [staff, setStaff] = useState<StaffAccount[]>([]);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const load = () =>
    api
      .get<{ staff: StaffAccount[] }>('/api/admin/staff')
      .then((r) => setStaff(r.staff))
      .catch((e) => setStatus({ ok: false, text: errText(e) }));
  useEffect(() => void load(), []);
  const patch = async (id: string, body: StaffPatch) => {
    setStatus(null);
    try {
      await api.patch(`/api/admin/staff/${id}`, body);
      setStatus({ ok: true, text: t('ad.saved') });
      setEditing(null);
      await load();
    } catch (e) {
      setStatus({ ok: false, text: errText(e) });
    }
  };
  return (
    <div>
      <Status status={status} />
      <SearchField value={query} onInput={setQuery} />
      <table aria-label={t('ad.tab.staff')}>
        <thead>
          <tr>
            <th scope="col">{t('ad.staff.name')}</th>
            <th scope="col">{t('ad.staff.email')}</th>
            <th scope="col">{t('ad.staff.role')}</th>
            <th scope="col">{t('ad.staff.languages')}</th>
            <th scope="col">{t('ad.staff.capacity')}</th>
            <th scope="col">{t('ad.staff.status')}</th>
            <th scope="col">{t('sv.col.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {staff.filter((s) => matchesSearch(query, s.name, s.email)).map((s) => (
            <>
              <tr key={s.id}>
                <td>{s.name}</td>
                <td>{s.email}</td>
                <td>{t(`role.${s.role}`)}</td>
                <td>{s.languages.map((l) => t('language.' + l)).join(', ')}</td>
                <td>{s.capacity}</td>
                <td>{s.disabled ? t('ad.staff.disabled') : t('ad.staff.active')}</td>
                <td>
                  <button type="button" aria-label={t('ad.staff.edit', { name: s.name })} onClick={() => setEditing(editing === s.id ? null : s.id)}>
                    {t('common.edit')}
                  </button>{' '}
                  <button
                    type="button"
                    class={s.disabled ? undefined : 'danger'}
                    aria-label={t(s.disabled ? 'ad.staff.enable' : 'ad.staff.disable', { name: s.name })}
                    onClick={() => void patch(s.id, { disabled: !s.disabled })}
                  >
                    {s.disabled ? t('ad.staff.enable', { name: '' }).trim() : t('ad.staff.disable', { name: '' }).trim()}
                  </button>
                </td>
              </tr>
              {editing === s.id && (
                <tr key={`${s.id}-edit`}>
                  <td colSpan={7}>
                    <EditForm s={s} onSave={(b) => patch(s.id, b)} />
                  </td>
                </tr>
              )}
            </>
          ))}
        </tbody>
      </table>
      <CreateForm onCreated={() => void load()} />
    </div>
  );
}

function EditForm({ s, onSave }: { s: StaffAccount; onSave: (b: StaffPatch) => Promise<void> }) {
  const { profile } = useSession();
  const [name, setName] = useState(s.name);
  const [role, setRole] = useState<StaffRole>(s.role);
  const [languages, setLanguages] = useState<Language[]>(s.languages);
  const [topics, setTopics] = useState<Topic[]>(s.topics);
  const [capacity, setCapacity] = useState(String(s.capacity));
  const [password, setPassword] = useState('');
  return (
    <form
      class="grid-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSave({ name, ...(s.id !== profile.id ? { role } : {}), languages, topics, capacity: Number(capacity), ...(password ? { password } : {}) });
      }}
    >
      <label>
        {t('ad.staff.name')}
        <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        {t('ad.staff.role')}
        <select value={role} disabled={s.id === profile.id} onChange={(e) => setRole(e.currentTarget.value as StaffRole)}>
          {STAFF_ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </select>
      </label>
      <Checks legend={t('ad.staff.languages')} all={LANGUAGES} chosen={languages} prefix="language" onChange={setLanguages} />
      <Checks legend={t('ad.staff.topics')} all={TOPICS} chosen={topics} prefix="topic" onChange={setTopics} />
      <label>
        {t('ad.staff.capacity')}
        <input type="number" min={1} max={20} required value={capacity} onInput={(e) => setCapacity(e.currentTarget.value)} />
      </label>
      <label>
        {t('ad.staff.newPassword')}
        <input type="password" autocomplete="new-password" minLength={10} maxLength={200} value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary" aria-label={t('ad.staff.save', { name: s.name })}>
        {t('common.save')}
      </button>
    </form>
  );
}

function CreateForm({ onCreated }: { onCreated: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<StaffRole>('counsellor');
  const [password, setPassword] = useState('');
  const [languages, setLanguages] = useState<Language[]>(['bg']);
  const [topics, setTopics] = useState<Topic[]>([]);
  const [capacity, setCapacity] = useState('2');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  return (
    <form
      class="card grid-form"
      aria-labelledby="ad-new"
      onSubmit={(e) => {
        e.preventDefault();
        setStatus(null);
        api
          .post('/api/admin/staff', { email, name, role, password, languages, topics, capacity: Number(capacity) })
          .then(() => {
            setStatus({ ok: true, text: t('ad.saved') });
            setEmail('');
            setName('');
            setPassword('');
            onCreated();
          })
          .catch((err) => setStatus({ ok: false, text: errText(err) }));
      }}
    >
      <h2 id="ad-new">{t('ad.staff.new')}</h2>
      <label>
        {t('ad.staff.email')}
        <input type="email" required value={email} onInput={(e) => setEmail(e.currentTarget.value)} />
      </label>
      <label>
        {t('ad.staff.name')}
        <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        {t('ad.staff.role')}
        <select value={role} onChange={(e) => setRole(e.currentTarget.value as StaffRole)}>
          {STAFF_ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('ad.staff.password')}
        <input type="password" autocomplete="new-password" minLength={10} required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
      </label>
      <Checks legend={t('ad.staff.languages')} all={LANGUAGES} chosen={languages} prefix="language" onChange={setLanguages} />
      <Checks legend={t('ad.staff.topics')} all={TOPICS} chosen={topics} prefix="topic" onChange={setTopics} />
      <label>
        {t('ad.staff.capacity')}
        <input type="number" min={1} max={20} required value={capacity} onInput={(e) => setCapacity(e.currentTarget.value)} />
      </label>
      <button type="submit" class="primary">
        {t('ad.staff.create')}
      </button>
      <Status status={status} />
    </form>
  );
}
