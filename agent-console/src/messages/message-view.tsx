// One left message: what the child wrote (the read is audited), who is answering it, and the answer.
// Taking it to answer is a claim on the server: when someone else was faster, the page says so kindly
// and shows who has it, and the words typed here stay in the box.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { OfflineMessageChanged, StaffOfflineMessage } from '@helpline/shared';
import { LIMITS } from '@helpline/shared';
import { ApiError, api } from '../api.js';
import { t, formatDateTime, formatTime } from '../i18n/index.js';
import { useSession } from '../session.js';
import { useNow } from '../components/use-now.js';
import { age, languageName } from './messages-page.js';

type Action = 'claim' | 'release' | 'answer';
const CHANGE_OF: Record<Action, OfflineMessageChanged['change']> = { claim: 'claimed', release: 'released', answer: 'answered' };
const time = (iso: string) => formatTime(iso);

function errorText(err: unknown, m: StaffOfflineMessage | null): string {
  if (!(err instanceof ApiError)) return t('common.error');
  if (err.code === 'conflict') return t('msg.err.conflict');
  if (err.code === 'not_found') return t('msg.err.notFound');
  if (err.code === 'invalid_state') return m && (m.state === 'answered' || m.state === 'picked_up') ? t('msg.err.answered') : t('msg.err.notClaimed');
  return t('common.error');
}

export function MessageView({ id }: { id: string }) {
  const { socket, profile } = useSession();
  const [m, setM] = useState<StaffOfflineMessage | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [answer, setAnswer] = useState('');
  const [busy, setBusy] = useState(false);
  const now = useNow(true, 15_000);
  const headRef = useRef<HTMLHeadingElement>(null);
  // Our own action comes back as an event too: that one needs no second (audited) read.
  const own = useRef<OfflineMessageChanged['change'] | null>(null);

  const load = async (): Promise<StaffOfflineMessage | null> => {
    try {
      const fresh = await api.get<StaffOfflineMessage>(`/api/offline-messages/${id}`);
      setM(fresh);
      setLoadError(null);
      return fresh;
    } catch (err) {
      setLoadError(errorText(err, null));
      return null;
    }
  };

  useEffect(() => {
    void load().then(() => headRef.current?.focus());
    const onChanged = (e: OfflineMessageChanged) => {
      if (e.id !== id) return;
      if (own.current === e.change) {
        own.current = null;
        return;
      }
      void load();
    };
    socket.on('offline:changed', onChanged);
    return () => void socket.off('offline:changed', onChanged);
  }, [id, socket]);

  const act = async (action: Action) => {
    setBusy(true);
    setError(null);
    own.current = CHANGE_OF[action];
    try {
      const path = `/api/offline-messages/${id}/${action}`;
      setM(await api.post<StaffOfflineMessage>(path, action === 'answer' ? { answer } : {}));
      if (action === 'answer') setAnswer('');
    } catch (err) {
      own.current = null;
      setError(errorText(err, await load()));
    } finally {
      setBusy(false);
    }
  };

  const back = (
    <p>
      <a href="#/messages">{t('msg.back')}</a>
    </p>
  );
  if (loadError && !m)
    return (
      <section class="page offline-inbox">
        {back}
        <p class="error" role="alert">
          {loadError}
        </p>
      </section>
    );
  if (!m)
    return (
      <section class="page offline-inbox">
        <p role="status">{t('common.loading')}</p>
      </section>
    );

  const mine = m.state === 'claimed' && m.claimedBy === profile.id;
  // A lapsed claim shows as 'new' but still lets its holder answer while nobody else took it.
  const lapsedMine = m.state === 'new' && m.claimedBy === profile.id;
  const waiting = m.state === 'new' || m.state === 'claimed';
  return (
    <section class="page offline-inbox" aria-labelledby="msg-one-title">
      {back}
      <h1 id="msg-one-title" ref={headRef} tabIndex={-1}>
        {t('msg.messageTitle', { reference: m.reference })}
      </h1>
      <p class="muted">{t('msg.audited')}</p>
      <dl class="msg-meta">
        <dt>{t('msg.meta.state')}</dt>
        <dd data-testid="message-state">{t(`msg.state.${m.state}`)}</dd>
        <dt>{t('msg.meta.language')}</dt>
        <dd>{languageName(m.language)}</dd>
        <dt>{t('msg.meta.ageGroup')}</dt>
        <dd>{m.ageGroup ? t(`ageGroup.${m.ageGroup}`) : t('common.none')}</dd>
        {m.topic && (
          <>
            <dt>{t('msg.meta.topic')}</dt>
            <dd>{t(`topic.${m.topic}`)}</dd>
          </>
        )}
        <dt>{t('msg.meta.received')}</dt>
        <dd>
          {formatDateTime(m.createdAt)} · {waiting ? t('msg.waitingFor', { age: age(m.createdAt, now) }) : t('msg.ago', { age: age(m.createdAt, now) })}
        </dd>
      </dl>
      <section class="card msg-body" aria-labelledby="msg-wrote">
        <h2 id="msg-wrote">{t('msg.childWrote')}</h2>
        <p class="msg-text" data-testid="message-body">
          {m.body}
        </p>
      </section>

      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}

      {m.state === 'new' && !lapsedMine && (
        <div class="row">
          <button type="button" class="primary" disabled={busy} onClick={() => void act('claim')}>
            {t('msg.claim')}
          </button>
        </div>
      )}

      {m.state === 'claimed' && !mine && (
        <div class="row">
          <p>{t('msg.claimedBy', { name: m.claimedByName ?? '?', time: time(m.claimedAt!) })}</p>
          {profile.role === 'supervisor' && (
            <button type="button" disabled={busy} onClick={() => void act('release')}>
              {t('msg.releaseOther')}
            </button>
          )}
        </div>
      )}

      {(mine || lapsedMine) && (
        <form
          class="card msg-answer"
          onSubmit={(e) => {
            e.preventDefault();
            if (answer.trim()) void act('answer');
          }}
        >
          <p>{mine ? t('msg.yoursUntil', { time: time(m.claimExpiresAt!) }) : t('msg.lapsed')}</p>
          <label>
            {t('msg.answerLabel')}
            <textarea rows={6} maxLength={LIMITS.messageMaxChars} value={answer} onInput={(e) => setAnswer(e.currentTarget.value)} aria-describedby="msg-answer-help" />
          </label>
          <p id="msg-answer-help" class="muted">
            {t('msg.answerHelp')}
          </p>
          <div class="row">
            <button type="submit" class="primary" disabled={busy || !answer.trim()}>
              {t('msg.send')}
            </button>
            {mine && (
              <button type="button" disabled={busy} onClick={() => void act('release')}>
                {t('msg.release')}
              </button>
            )}
          </div>
        </form>
      )}

      {(m.state === 'answered' || m.state === 'picked_up') && (
        <section class="card msg-body" aria-labelledby="msg-answer-title">
          <h2 id="msg-answer-title">{t('msg.answer')}</h2>
          <p class="msg-text" data-testid="message-answer">
            {m.answer}
          </p>
          {m.answeredAt && <p class="muted">{t('msg.answeredBy', { name: m.answeredByName ?? '?', time: time(m.answeredAt) })}</p>}
          <p data-testid="message-pickup">{m.pickedUpAt ? t('msg.pickedUp', { time: time(m.pickedUpAt) }) : t('msg.notPickedUp')}</p>
        </section>
      )}
    </section>
  );
}
