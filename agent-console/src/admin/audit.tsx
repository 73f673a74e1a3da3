// The audit log: who did or read what, when (never message text).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { t, formatDateTime } from '../i18n/index.js';

interface AuditRow {
  id: number;
  at: string;
  actorType: string;
  actorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
}

export function AuditLog() {
  const [rows, setRows] = useState<AuditRow[]>([]);
  const [action, setAction] = useState('');
  const [error, setError] = useState(false);
  const load = () => {
    setError(false);
    api
      .get<{ events: AuditRow[] }>(`/api/admin/audit?limit=200${action ? `&action=${encodeURIComponent(action)}` : ''}`)
      .then((r) => setRows(r.events))
      .catch(() => setError(true));
  };
  useEffect(load, []);
  return (
    <div>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          load();
        }}
      >
        <label>
          {t('ad.audit.filter')}
          <input value={action} maxLength={100} onInput={(e) => setAction(e.currentTarget.value)} />
        </label>
        <button type="submit">{t('ad.audit.load')}</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {t('common.error')}
        </p>
      )}
      <table aria-label={t('ad.tab.audit')}>
        <thead>
          <tr>
            <th scope="col">{t('ad.audit.at')}</th>
            <th scope="col">{t('ad.audit.actor')}</th>
            <th scope="col">{t('ad.audit.action')}</th>
            <th scope="col">{t('ad.audit.target')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.id}>
              <td>{formatDateTime(r.at)}</td>
              {/* Machine identifiers, as stored and as the filter takes them: shown as code, not translated. */}
              <td>
                <code>{r.actorType === 'staff' ? (r.actorId ?? '').slice(0, 8) : r.actorType}</code>
              </td>
              <td>
                <code>{r.action}</code>
              </td>
              <td>
                <code>
                  {r.targetType} {r.targetId ? r.targetId.slice(0, 36) : ''}
                </code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
