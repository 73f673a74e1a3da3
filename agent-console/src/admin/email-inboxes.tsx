// E-mail inboxes on the admin's Channel inboxes page (docs/email.md): connect a mailbox (IMAP to
// receive, SMTP to send), change its settings (a password left empty stays as it was; none is ever
// shown back), test the connection (each side says what failed), and see when receiving stopped.
import { useState } from 'preact/hooks';
import type { EmailConnectionTest, EmailInboxView, InboxView } from '@helpline/shared';
import { api, ApiError } from '../api.js';
import { formatDateTime, t, errorText as i18nErrorText } from '../i18n/index.js';
import './i18n.email.js';

const errorText = (e: unknown) => (e instanceof ApiError ? i18nErrorText(e) : t('common.error'));
const LANGS = ['bg', 'sr-Cyrl', 'sr-Latn', 'en'] as const;

type Form = Omit<EmailInboxView, 'receiveError' | 'receiveErrorAt' | 'lastReceivedAt'> & { imapPassword: string; smtpPassword: string };
const EMPTY: Form = {
  purpose: 'helpline',
  language: 'en',
  imapHost: '',
  imapPort: 993,
  imapTls: true,
  imapUser: '',
  imapPassword: '',
  smtpHost: '',
  smtpPort: 465,
  smtpTls: true,
  smtpUser: '',
  smtpPassword: '',
  fromAddress: '',
  signature: '',
};

function MailboxFields({ form, set, editing }: { form: Form; set: (p: Partial<Form>) => void; editing: boolean }) {
  const side = (s: 'imap' | 'smtp') => (
    <fieldset>
      <legend>{t(`em.${s}`)}</legend>
      <label>
        {t('em.host')}
        <input value={form[`${s}Host`]} required maxLength={253} onInput={(e) => set({ [`${s}Host`]: e.currentTarget.value })} />
      </label>
      <label>
        {t('em.port')}
        <input type="number" min={1} max={65535} value={form[`${s}Port`]} required onInput={(e) => set({ [`${s}Port`]: Number(e.currentTarget.value) })} />
      </label>
      <label>
        <input type="checkbox" checked={form[`${s}Tls`]} onChange={(e) => set({ [`${s}Tls`]: e.currentTarget.checked })} /> {t('em.tls')}
      </label>
      <label>
        {t('em.user')}
        <input value={form[`${s}User`]} required maxLength={320} autoComplete="off" onInput={(e) => set({ [`${s}User`]: e.currentTarget.value })} />
      </label>
      <label>
        {editing ? t('em.passwordKeep') : t('em.password')}
        <input type="password" value={form[`${s}Password`]} required={!editing} autoComplete="new-password" maxLength={1000} onInput={(e) => set({ [`${s}Password`]: e.currentTarget.value })} />
      </label>
    </fieldset>
  );
  return (
    <>
      <label>
        {t('em.purpose')}
        <select value={form.purpose} onChange={(e) => set({ purpose: e.currentTarget.value as Form['purpose'] })}>
          <option value="helpline">{t('em.purpose.helpline')}</option>
          <option value="hotline">{t('em.purpose.hotline')}</option>
        </select>
      </label>
      <label>
        {t('em.language')}
        <select value={form.language} onChange={(e) => set({ language: e.currentTarget.value as Form['language'] })}>
          {LANGS.map((l) => (
            <option key={l} value={l}>
              {t('language.' + l)}
            </option>
          ))}
        </select>
      </label>
      {side('imap')}
      {side('smtp')}
      <label>
        {t('em.from')}
        <input type="email" value={form.fromAddress} required maxLength={320} onInput={(e) => set({ fromAddress: e.currentTarget.value })} />
      </label>
      <label>
        {t('em.signature')}
        <textarea value={form.signature} maxLength={2000} onInput={(e) => set({ signature: e.currentTarget.value })} />
      </label>
    </>
  );
}

/** What is sent: the passwords only when typed (an edit leaves the stored ones otherwise). */
const payload = (f: Form, editing: boolean) => {
  const { imapPassword, smtpPassword, ...rest } = f;
  return { ...rest, ...(imapPassword || !editing ? { imapPassword } : {}), ...(smtpPassword || !editing ? { smtpPassword } : {}) };
};

export function EmailInboxCreate({ onCreated }: { onCreated: () => void }) {
  const [name, setName] = useState('');
  const [form, setForm] = useState<Form>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api.post('/api/admin/inboxes', { channel: 'email', name, email: payload(form, false) });
      setName('');
      setForm(EMPTY);
      onCreated();
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <form class="stack card" onSubmit={(e) => void submit(e)} aria-label={t('em.create')}>
      <h2>{t('em.create')}</h2>
      <label>
        {t('ad.in.name')}
        <input value={name} required maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <MailboxFields form={form} set={(p) => setForm({ ...form, ...p })} editing={false} />
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button type="submit">{t('em.create')}</button>
    </form>
  );
}

export function EmailInboxSettings({ inbox, onChange }: { inbox: InboxView & { email: EmailInboxView }; onChange: () => void }) {
  const { receiveError, receiveErrorAt, lastReceivedAt, ...saved } = inbox.email;
  const [form, setForm] = useState<Form>({ ...saved, imapPassword: '', smtpPassword: '' });
  const [error, setError] = useState<string | null>(null);
  const [test, setTest] = useState<EmailConnectionTest | 'running' | null>(null);
  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    try {
      await api.patch(`/api/admin/inboxes/${inbox.id}`, { email: payload(form, true) });
      setForm({ ...form, imapPassword: '', smtpPassword: '' });
      onChange();
    } catch (err) {
      setError(errorText(err));
    }
  };
  const runTest = async () => {
    setTest('running');
    try {
      setTest(await api.post<EmailConnectionTest>(`/api/admin/inboxes/${inbox.id}/test-connection`));
    } catch (err) {
      setTest(null);
      setError(errorText(err));
    }
  };
  const sideText = (name: string, r: EmailConnectionTest['imap']) => (r.ok ? t('em.test.ok', { side: name }) : t('em.test.fail', { side: name, reason: t('em.err.' + (r.error ?? 'other')) }));
  return (
    <div class="stack">
      {receiveError ? (
        <p class="error" role="alert" data-testid="receive-error">
          {t('em.receiveError', { at: receiveErrorAt ? formatDateTime(receiveErrorAt) : '', reason: t('em.err.' + receiveError) })}
        </p>
      ) : (
        lastReceivedAt && <p>{t('em.lastReceived', { at: formatDateTime(lastReceivedAt) })}</p>
      )}
      <form class="stack" onSubmit={(e) => void save(e)} aria-label={t('em.panel')}>
        <MailboxFields form={form} set={(p) => setForm({ ...form, ...p })} editing={true} />
        <div class="row">
          <button type="submit">{t('common.save')}</button>
          <button type="button" onClick={() => void runTest()} disabled={test === 'running'}>
            {test === 'running' ? t('em.testing') : t('em.test')}
          </button>
        </div>
      </form>
      {test && test !== 'running' && (
        <div role="status" data-testid="connection-test">
          <ul>
            <li class={test.imap.ok ? '' : 'error'}>{sideText('IMAP', test.imap)}</li>
            <li class={test.smtp.ok ? '' : 'error'}>{sideText('SMTP', test.smtp)}</li>
          </ul>
        </div>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
