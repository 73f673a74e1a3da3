// What the counsellor sees of an e-mail conversation besides its messages: the subject, the sender's
// address masked (shown whole only on request, which the server audits), what the receiving server
// said of the sender (a forged sender shows here), and the files that came, by name only.
import { useEffect, useState } from 'preact/hooks';
import type { EmailReveal, EmailThreadView } from '@helpline/shared';
import { api } from '../api.js';
import { errorText, t } from '../i18n/index.js';
import '../admin/i18n.email.js';

const failed = (v: string | null) => v !== null && !['pass', 'none'].includes(v);

export function EmailPanel({ conversationId, version }: { conversationId: string; version: number }) {
  const [view, setView] = useState<EmailThreadView | null>(null);
  const [address, setAddress] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<EmailThreadView>(`/api/conversations/${conversationId}/email`)
      .then(setView)
      .catch(() => setView(null));
  }, [conversationId, version]);
  useEffect(() => setAddress(null), [conversationId]);
  if (!view) return null;
  const a = view.authentication;
  const forged = failed(a.spf) || failed(a.dkim) || failed(a.dmarc);
  const reveal = async () => {
    setError(null);
    try {
      setAddress((await api.post<EmailReveal>(`/api/conversations/${conversationId}/email/reveal`)).address);
    } catch (err) {
      setError(errorText(err));
    }
  };
  return (
    <section class="card email-panel" aria-label={t('em.panel')} data-testid="email-panel">
      <dl>
        {view.subject && (
          <>
            <dt>{t('em.subject')}</dt>
            <dd>{view.subject}</dd>
          </>
        )}
        <dt>{t('em.from.masked')}</dt>
        <dd>
          <span data-testid="email-from">{address ?? view.maskedFrom}</span>{' '}
          {!address && (
            <button type="button" class="link" onClick={() => void reveal()} title={t('em.revealNote')}>
              {t('em.reveal')}
            </button>
          )}
        </dd>
        <dt>{t('em.auth')}</dt>
        <dd class={forged ? 'error' : ''} data-testid="email-auth">
          {a.raw ? `${forged ? `${t('em.auth.warn')}: ` : ''}SPF ${a.spf ?? '-'} · DKIM ${a.dkim ?? '-'} · DMARC ${a.dmarc ?? '-'}` : t('em.auth.none')}
        </dd>
        {view.attachments.length > 0 && (
          <>
            <dt>{t('em.files')}</dt>
            <dd>{view.attachments.join(', ')}</dd>
          </>
        )}
        {view.dropped > 0 && (
          <>
            <dt>{t('em.files')}</dt>
            <dd>{t('em.dropped', { n: view.dropped })}</dd>
          </>
        )}
      </dl>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}
