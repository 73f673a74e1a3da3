// The conversation: waiting (queue place, estimated wait, alternatives), the live transcript with
// delivery states, typing, the composer, ending, and the ended state with a way to start again.
import { useEffect, useRef, useState } from 'preact/hooks';
import { LIMITS } from '@helpline/shared';
import { useWidget } from '../context.js';
import type { Key } from '../i18n/index.js';
import { isEnded, transcript, type Line } from '../messages.js';
import type { SessionState } from '../session.js';
import { storage } from '../storage.js';
import { Alternatives } from './Alternatives.js';

export function ChatView({ state, onLeaveMessage }: { state: SessionState; onLeaveMessage(): void }) {
  const { t, session } = useWidget();
  const c = state.conversation!;
  const ended = isEnded(c);
  const waiting = c.state === 'waiting' || c.state === 'offered';
  const lines = transcript(c, state.messages, state.outbox, state.sendingId);
  const logRef = useRef<HTMLOListElement>(null);
  const endedRef = useRef<HTMLHeadingElement>(null);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const [confirming, setConfirming] = useState(false);

  useEffect(() => {
    const el = logRef.current?.closest('main');
    if (el) el.scrollTop = el.scrollHeight;
  }, [lines.length, state.counsellorTyping]);
  useEffect(() => {
    if (ended) endedRef.current?.focus();
    else composerRef.current?.focus();
  }, [ended]);

  async function leaveForMessage() {
    await session.end();
    session.reset();
    onLeaveMessage();
  }

  return (
    <>
      {state.connection === 'offline' && (
        <p class="status-bar" role="status">
          {t('offline')}
        </p>
      )}
      <main class="body">
        {waiting && (
          <section aria-labelledby="hl-wait">
            <h2 id="hl-wait">{t('waitingTitle')}</h2>
            <div role="status">
              {c.queuePosition !== null && <p>{t('queuePosition', { n: c.queuePosition })}</p>}
              {c.estimatedWaitSeconds !== null && (
                <p>{c.estimatedWaitSeconds < 60 ? t('estimatedWaitSoon') : t('estimatedWait', { min: Math.round(c.estimatedWaitSeconds / 60) })}</p>
              )}
            </div>
            <p>{t('waitingHint')}</p>
          </section>
        )}
        {waiting && state.service && <Alternatives service={state.service} onLeaveMessage={() => void leaveForMessage()} />}
        <div role="log" aria-live="polite" aria-relevant="additions">
          <ol class="log" ref={logRef}>
            {lines.map((l) => (
              <MessageLine key={l.key} line={l} />
            ))}
          </ol>
        </div>
        {ended && (
          <section class="note" aria-labelledby="hl-ended">
            <h2 id="hl-ended" ref={endedRef} tabIndex={-1}>
              {t('endedTitle')}
            </h2>
            <p>{t('endedText')}</p>
            <p>
              <button type="button" class="btn" onClick={() => session.reset()}>
                {t('newChat')}
              </button>
            </p>
          </section>
        )}
      </main>
      <p class="typing" role="status">
        {state.counsellorTyping && !ended ? t('typing', { name: c.counsellorName ?? t('counsellor') }) : ''}
      </p>
      {!ended && (
        <>
          <Composer inputRef={composerRef} conversationId={c.id} />
          <div class="row" style={{ padding: '0 8px 8px' }}>
            {confirming ? (
              <>
                <span>{t('confirmEnd')}</span>
                <button type="button" class="btn secondary" onClick={() => void session.end().then(() => setConfirming(false))}>
                  {t('endYes')}
                </button>
                <button type="button" class="btn secondary" onClick={() => setConfirming(false)}>
                  {t('endNo')}
                </button>
              </>
            ) : (
              <button type="button" class="btn secondary" onClick={() => setConfirming(true)}>
                {t(waiting ? 'leaveQueue' : 'endChat')}
              </button>
            )}
          </div>
        </>
      )}
    </>
  );
}

function MessageLine({ line }: { line: Line }) {
  const { t, lang } = useWidget();
  const time = new Date(line.createdAt).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
  if (line.sender === 'system') {
    const ev = line.system?.event;
    const text = ev ? t(`sys_${ev}` as Key, { name: line.system?.params?.name ?? t('counsellor') }) : line.body;
    return <li class="msg system">{text}</li>;
  }
  const who = line.sender === 'visitor' ? t('you') : (line.senderName ?? t('counsellor'));
  // The body is a text node: Preact escapes it, links stay plain text, nothing is fetched.
  return (
    <li class={`msg ${line.sender}`} data-seq={line.seq ?? undefined}>
      <span class="who">{who}</span>
      <span class="text">{line.body}</span>
      <span class="meta">
        {time}
        {line.delivery && ` · ${t(`status_${line.delivery}` as Key)}`}
      </span>
    </li>
  );
}

function Composer({ inputRef, conversationId }: { inputRef: { current: HTMLTextAreaElement | null }; conversationId: string }) {
  const { t, session } = useWidget();
  const [text, setText] = useState(() => storage.get(`draft:${conversationId}`) ?? '');
  const tooLong = text.length > LIMITS.messageMaxChars;

  function update(v: string) {
    setText(v);
    storage.set(`draft:${conversationId}`, v || null);
    session.typing(v.length > 0);
  }
  function submit(e?: Event) {
    e?.preventDefault();
    const body = text.trim();
    if (!body || tooLong) return;
    session.send(body);
    update('');
    inputRef.current?.focus();
  }
  return (
    <form class="composer" onSubmit={submit}>
      <label for="hl-composer" class="sr-only">
        {t('composerLabel')}
      </label>
      <textarea
        id="hl-composer"
        ref={inputRef}
        value={text}
        aria-invalid={tooLong}
        aria-describedby={tooLong ? 'hl-toolong' : undefined}
        onInput={(e) => update((e.target as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) submit(e);
        }}
      />
      {tooLong && (
        <span id="hl-toolong" class="sr-only" role="alert">
          {t('tooLong')}
        </span>
      )}
      <button type="submit" class="btn" disabled={tooLong}>
        {t('send')}
      </button>
    </form>
  );
}
