// Messaging apps in Channel inboxes (docs/messaging-apps.md): the admin connects Viber, Messenger,
// Telegram, WhatsApp or Instagram with the app's tokens (sent once, sealed by the server, never shown
// again), then sees what to paste into the app (webhook address, Meta's verify token), checks the
// connection with the app's identity endpoint and, for Viber and Telegram, registers the webhook.
import { useEffect, useState } from 'preact/hooks';
import { APP_CHANNELS, isAppChannel, type AppChannel, type AppConnectionCheck, type AppInboxConnect, type InboxView } from '@helpline/shared';
import { api, ApiError } from '../api.js';
import { t, errorText as i18nErrorText } from '../i18n/index.js';

const FIELDS: Record<AppChannel, string[]> = {
  viber: ['authToken'],
  telegram: ['botToken'],
  messenger: ['accessToken', 'appSecret'],
  instagram: ['accessToken', 'appSecret'],
  whatsapp: ['accessToken', 'appSecret', 'phoneNumberId'],
};
const errorText = (e: unknown) => (e instanceof ApiError ? i18nErrorText(e) : t('common.error'));
export { isAppChannel };

export function AppInboxCreate({ onCreated }: { onCreated: () => void }) {
  const [channel, setChannel] = useState<AppChannel>('viber');
  const [name, setName] = useState('');
  const [values, setValues] = useState<Record<string, string>>({});
  const [created, setCreated] = useState<{ inbox: InboxView; connect: AppInboxConnect } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      const fields = Object.fromEntries(FIELDS[channel].map((f) => [f, values[f] ?? '']));
      setCreated(await api.post<{ inbox: InboxView; connect: AppInboxConnect }>('/api/admin/app-inboxes', { channel, name, ...fields }));
      setName('');
      setValues({});
      onCreated();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <>
      <form class="row" onSubmit={(e) => void submit(e)} aria-label={t('ad.app.create')}>
        <label>
          {t('ad.app.channel')}
          <select value={channel} onChange={(e) => setChannel(e.currentTarget.value as AppChannel)}>
            {APP_CHANNELS.map((c) => (
              <option key={c} value={c}>
                {t('channel.' + c)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('ad.in.name')}
          <input value={name} required maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        {FIELDS[channel].map((f) => (
          <label key={`${channel}-${f}`}>
            {t('ad.app.field.' + f)}
            <input
              type={f === 'phoneNumberId' ? 'text' : 'password'}
              autoComplete="off"
              required
              value={values[f] ?? ''}
              onInput={(e) => setValues({ ...values, [f]: e.currentTarget.value })}
            />
          </label>
        ))}
        <button type="submit">{t('ad.app.create')}</button>
      </form>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {created && (
        <div class="notice" role="status" data-testid="app-connected">
          <p>{t('ad.app.connected', { name: created.inbox.name })}</p>
          <ConnectDetails connect={created.connect} />
          <button type="button" onClick={() => setCreated(null)}>
            {t('common.close')}
          </button>
        </div>
      )}
    </>
  );
}

function ConnectDetails({ connect }: { connect: AppInboxConnect }) {
  return (
    <dl class="app-connect">
      <dt>{t('ad.app.webhookUrl')}</dt>
      <dd>
        <code data-testid="app-webhook-url">{connect.webhookUrl}</code>
      </dd>
      {connect.verifyToken && (
        <>
          <dt>{t('ad.app.verifyToken')}</dt>
          <dd>
            <code data-testid="app-verify-token">{connect.verifyToken}</code>
          </dd>
        </>
      )}
      {connect.phoneNumberId && (
        <>
          <dt>{t('ad.app.field.phoneNumberId')}</dt>
          <dd>
            <code>{connect.phoneNumberId}</code>
          </dd>
        </>
      )}
    </dl>
  );
}

export function AppInboxDetails({ inbox }: { inbox: InboxView }) {
  const [connect, setConnect] = useState<AppInboxConnect | null>(null);
  const [result, setResult] = useState<AppConnectionCheck | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<AppInboxConnect>(`/api/admin/inboxes/${inbox.id}/app`)
      .then(setConnect)
      .catch((e: unknown) => setError(errorText(e)));
  }, [inbox.id]);
  const run = async (what: 'check' | 'register') => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api.post<AppConnectionCheck>(`/api/admin/inboxes/${inbox.id}/app/${what}`));
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="stack">
      {connect && <ConnectDetails connect={connect} />}
      <p>{t(`ad.app.howto.${inbox.channel}`)}</p>
      <div class="row">
        <button type="button" disabled={busy} onClick={() => void run('check')}>
          {t('ad.app.check')}
        </button>
        {(inbox.channel === 'viber' || inbox.channel === 'telegram') && (
          <button type="button" disabled={busy} onClick={() => void run('register')}>
            {t('ad.app.register')}
          </button>
        )}
      </div>
      {result && (
        <p role="status" data-testid="app-check" data-ok={String(result.ok)}>
          {result.ok ? t('ad.app.ok', { name: result.accountName }) : `${t('ad.app.problem.' + result.problem)} (${result.detail})`}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
