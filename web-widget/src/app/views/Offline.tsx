// Leave a message when nobody can chat, and come back with the reference and pick-up code.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApiError, OfflineMessageCreated, OfflineMessageStatus } from '@helpline/shared';
import { LIMITS } from '@helpline/shared';
import { leaveMessage, messageStatus } from '../api.js';
import { useWidget } from '../context.js';
import { storage } from '../storage.js';

function errorKey(e: ApiError) {
  return e.code === 'rate_limited' ? 'errorRateLimited' : e.code === 'not_found' ? 'notFound' : 'errorGeneric';
}

export function LeaveMessage({ onBack }: { onBack(): void }) {
  const { t, lang } = useWidget();
  const [body, setBody] = useState(() => storage.get('draft:offline') ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<OfflineMessageCreated | null>(null);
  const headRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headRef.current?.focus(), [done]);

  async function submit(e: Event) {
    e.preventDefault();
    if (!body.trim() || body.length > LIMITS.messageMaxChars) return;
    setBusy(true);
    const res = await leaveMessage({ body: body.trim(), language: lang });
    setBusy(false);
    if (res.ok) {
      storage.set('draft:offline', null);
      setDone(res.data);
    } else setError(res.error);
  }

  if (done) {
    return (
      <main class="body">
        <h2 ref={headRef} tabIndex={-1}>
          {t('leaveDoneTitle')}
        </h2>
        <p>{t('leaveDoneText')}</p>
        <dl>
          <dt>{t('reference')}</dt>
          <dd class="code" data-testid="reference">{done.reference}</dd>
          <dt>{t('pickupCode')}</dt>
          <dd class="code" data-testid="pickup-code">{done.pickupCode}</dd>
        </dl>
        <button type="button" class="btn secondary" onClick={onBack}>
          {t('back')}
        </button>
      </main>
    );
  }
  return (
    <main class="body">
      <h2 ref={headRef} tabIndex={-1}>
        {t('leaveTitle')}
      </h2>
      <p>{t('leaveIntro')}</p>
      <form class="stack" onSubmit={submit}>
        <div class="field">
          <label for="hl-offline-body">{t('composerLabel')}</label>
          <textarea
            id="hl-offline-body"
            rows={6}
            maxLength={LIMITS.messageMaxChars}
            value={body}
            onInput={(e) => {
              const v = (e.target as HTMLTextAreaElement).value;
              setBody(v);
              storage.set('draft:offline', v || null);
            }}
          />
        </div>
        {error && (
          <p class="error" role="alert">
            {t(errorKey(error))}
          </p>
        )}
        <div class="row">
          <button type="submit" class="btn" disabled={busy || !body.trim()}>
            {t('leaveSend')}
          </button>
          <button type="button" class="btn secondary" onClick={onBack}>
            {t('back')}
          </button>
        </div>
      </form>
    </main>
  );
}

export function CheckAnswer({ onBack }: { onBack(): void }) {
  const { t } = useWidget();
  const [reference, setReference] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [result, setResult] = useState<OfflineMessageStatus | null>(null);
  const headRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => headRef.current?.focus(), []);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    const res = await messageStatus({ reference: reference.trim(), pickupCode: code.trim() });
    setBusy(false);
    if (res.ok) setResult(res.data);
    else setError(res.error);
  }

  return (
    <main class="body">
      <h2 ref={headRef} tabIndex={-1}>
        {t('checkTitle')}
      </h2>
      <form class="stack" onSubmit={submit}>
        <div class="field">
          <label for="hl-ref">{t('reference')}</label>
          <input id="hl-ref" autocomplete="off" value={reference} onInput={(e) => setReference((e.target as HTMLInputElement).value)} required maxLength={40} />
        </div>
        <div class="field">
          <label for="hl-code">{t('pickupCode')}</label>
          <input id="hl-code" autocomplete="off" value={code} onInput={(e) => setCode((e.target as HTMLInputElement).value)} required maxLength={40} />
        </div>
        <div class="row">
          <button type="submit" class="btn" disabled={busy}>
            {t('checkSend')}
          </button>
          <button type="button" class="btn secondary" onClick={onBack}>
            {t('back')}
          </button>
        </div>
      </form>
      <div role="status">
        {error && <p class="error">{t(errorKey(error))}</p>}
        {result?.status === 'new' && <p>{t('answerNotYet')}</p>}
        {result?.status === 'answered' && (
          <section class="note">
            <h3>{t('answerTitle')}</h3>
            <p style={{ whiteSpace: 'pre-wrap' }}>{result.answer}</p>
          </section>
        )}
      </div>
    </main>
  );
}
