// Channel inboxes (docs/channels.md): the admin creates an API inbox for an integrating system and sees
// its secret once; sets or changes the webhook URL, turns an inbox off, and sees the deliveries that
// failed (with the receiver's last error) and sends them again.
import { useEffect, useState } from 'preact/hooks';
import type { FailedDelivery, InboxCreated, InboxView } from '@helpline/shared';
import { api, ApiError } from '../api.js';
import { t, errorText as i18nErrorText, formatDateTime } from '../i18n/index.js';
import { AppInboxCreate, AppInboxDetails, isAppChannel } from './app-inboxes.js';
import { EmailInboxCreate, EmailInboxSettings } from './email-inboxes.js';

const errorText = (e: unknown) => (e instanceof ApiError ? i18nErrorText(e) : t('common.error'));

export function InboxesAdmin() {
  const [inboxes, setInboxes] = useState<InboxView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<InboxCreated | null>(null);
  const [name, setName] = useState('');
  const [webhookUrl, setWebhookUrl] = useState('');
  const load = () =>
    api
      .get<{ inboxes: InboxView[] }>('/api/admin/inboxes')
      .then((r) => setInboxes(r.inboxes))
      .catch((e: unknown) => setError(errorText(e)));
  useEffect(() => void load(), []);

  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      setCreated(await api.post<InboxCreated>('/api/admin/inboxes', { channel: 'api', name, webhookUrl: webhookUrl || null }));
      setName('');
      setWebhookUrl('');
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };

  return (
    <div class="stack">
      <form class="row" onSubmit={(e) => void create(e)} aria-label={t('ad.in.create')}>
        <label>
          {t('ad.in.name')}
          <input value={name} required maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          {t('ad.in.webhook')}
          <input type="url" value={webhookUrl} maxLength={2000} onInput={(e) => setWebhookUrl(e.currentTarget.value)} />
        </label>
        <button type="submit">{t('ad.in.create')}</button>
      </form>
      <AppInboxCreate onCreated={() => void load()} />
      <EmailInboxCreate onCreated={() => void load()} />
      {created?.secret && (
        <div class="notice" role="status" data-testid="inbox-secret">
          <p>{t('ad.in.secretOnce', { name: created.inbox.name })}</p>
          <p>
            {t('ad.in.id')}: <code>{created.inbox.id}</code>
          </p>
          <p>
            {t('ad.in.secret')}: <code>{created.secret}</code>
          </p>
          <button type="button" onClick={() => setCreated(null)}>
            {t('ad.in.secretDone')}
          </button>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {inboxes.map((i) => (
        <InboxItem key={i.id} inbox={i} onChange={() => void load()} />
      ))}
    </div>
  );
}

function InboxItem({ inbox, onChange }: { inbox: InboxView; onChange: () => void }) {
  const [url, setUrl] = useState(inbox.webhookUrl ?? '');
  const [failed, setFailed] = useState<FailedDelivery[]>([]);
  const [error, setError] = useState<string | null>(null);
  const loadFailed = () =>
    api
      .get<{ deliveries: FailedDelivery[] }>(`/api/admin/inboxes/${inbox.id}/failed-deliveries`)
      .then((r) => setFailed(r.deliveries))
      .catch((e: unknown) => setError(errorText(e)));
  useEffect(() => void loadFailed(), [inbox.id]);
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      onChange();
      await loadFailed();
    } catch (e) {
      setError(errorText(e));
    }
  };
  return (
    <section class="card" aria-label={inbox.name}>
      <h2>
        {inbox.name} <span class="badge">{t('channel.' + inbox.channel)}</span> {!inbox.enabled && <span class="badge">{t('ad.in.off')}</span>}
      </h2>
      <p>
        {t('ad.in.id')}: <code>{inbox.id}</code>
      </p>
      {inbox.email && <EmailInboxSettings inbox={{ ...inbox, email: inbox.email }} onChange={onChange} />}
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() => api.patch(`/api/admin/inboxes/${inbox.id}`, { webhookUrl: url || null }));
        }}
      >
        {inbox.channel === 'api' && (
          <>
            <label>
              {t('ad.in.webhook')}
              <input type="url" value={url} maxLength={2000} onInput={(e) => setUrl(e.currentTarget.value)} />
            </label>
            <button type="submit">{t('common.save')}</button>
          </>
        )}
        <button type="button" onClick={() => void run(() => api.patch(`/api/admin/inboxes/${inbox.id}`, { enabled: !inbox.enabled }))}>
          {inbox.enabled ? t('ad.in.turnOff') : t('ad.in.turnOn')}
        </button>
      </form>
      {isAppChannel(inbox.channel) && <AppInboxDetails inbox={inbox} />}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <h3>{t('ad.in.failed')}</h3>
      {failed.length === 0 ? (
        <p>{t('ad.in.noFailed')}</p>
      ) : (
        <table aria-label={t('ad.in.failed')}>
          <thead>
            <tr>
              <th scope="col">{t('ad.in.when')}</th>
              <th scope="col">{t('ad.in.kind')}</th>
              <th scope="col">{t('ad.in.attempts')}</th>
              <th scope="col">{t('ad.in.error')}</th>
              <th scope="col">
                <span class="visually-hidden">{t('ad.in.replay')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {failed.map((d) => (
              <tr key={d.id}>
                <td>{formatDateTime(d.updatedAt)}</td>
                <td>{d.kind}</td>
                <td>{d.attempts}</td>
                <td>{d.lastError}</td>
                <td>
                  <button type="button" onClick={() => void run(() => api.post(`/api/admin/deliveries/${d.id}/replay`))}>
                    {t('ad.in.replay')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
