import { useEffect, useRef, useState } from 'preact/hooks';
import type { ChatMessage, MessageDelivery } from '@helpline/shared';
import { t, errorText } from '../i18n/index.js';
import { Composer } from './composer.js';
import { EmailPanel } from './email-panel.js';
import { CallBar } from './call-bar.js';
import { softphone } from './softphone.js';
import { timeOf } from './text.js';
import type { ChatState, WorkspaceActions } from './store.js';

function systemText(m: ChatMessage): string {
  if (!m.system) return m.body;
  return t('sys.' + m.system.event, m.system.params ?? {});
}

interface Props {
  chat: ChatState;
  actions: WorkspaceActions;
  draft: string;
  setDraft: (s: string) => void;
  fallbackLanguage: 'bg' | 'sr-Cyrl' | 'sr-Latn' | 'en';
}

export function ChatPanel({ chat, actions, draft, setDraft, fallbackLanguage }: Props) {
  const c = chat.conv;
  const logRef = useRef<HTMLOListElement>(null);
  const readSent = useRef(0);
  const [error, setError] = useState<string | null>(null);
  const live = c.state === 'active';
  const last = chat.messages[chat.messages.length - 1];

  // Keep the newest message in view.
  useEffect(() => {
    const el = logRef.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [chat.messages.length, chat.outgoing.length, c.id]);

  // Tell the child what we have read (only while this chat is on screen).
  const [visible, setVisible] = useState(document.visibilityState === 'visible');
  useEffect(() => {
    const on = () => setVisible(document.visibilityState === 'visible');
    document.addEventListener('visibilitychange', on);
    return () => document.removeEventListener('visibilitychange', on);
  }, []);
  useEffect(() => {
    const lastVisitor = [...chat.messages].reverse().find((m) => m.sender === 'visitor');
    if (!lastVisitor || lastVisitor.seq <= readSent.current || !visible) return;
    readSent.current = lastVisitor.seq;
    actions.markRead(c.id, lastVisitor.seq);
  }, [chat.messages.length, c.id, visible]);

  const send = async (body: string) => {
    setError(null);
    const ack = await actions.send(c.id, body);
    if (!ack.ok) setError(errorText(ack.error));
  };

  return (
    <section class="chat card" aria-label={t('chat.log')}>
      <header class="chat-head">
        <div>
          <strong>{[c.language && t('language.' + c.language), c.topic && t('topic.' + c.topic), c.ageGroup && t('ageGroup.' + c.ageGroup)].filter(Boolean).join(' · ') || t('chat.visitor')}</strong>
          <span class={`state state-${c.state}`}> {t('conv.state.' + c.state)}</span>
          {c.riskFlagged && <span class="badge badge-risk">{t('conv.risk')}</span>}
          {c.channel !== 'chat' && <span class="badge badge-channel">{t('channel.' + c.channel)}</span>}
        </div>
        {live && (
          <button type="button" onClick={() => (c.channel === 'phone' && softphone.hasCall(c.id) ? softphone.hangUp(c.id) : void actions.end(c.id))}>
            {t('chat.end')}
          </button>
        )}
      </header>
      {c.channel === 'email' && <EmailPanel conversationId={c.id} version={chat.messages.length} />}
      {c.channel === 'phone' && <CallBar conversationId={c.id} live={live} />}
      <ol class="messages" ref={logRef} aria-live="polite" aria-label={t('chat.log')} tabIndex={0} data-testid="messages">
        {chat.messages.map((m) => (
          <li key={m.id} class={`msg msg-${m.sender}`} data-seq={m.seq}>
            {m.sender === 'system' ? (
              <span class="msg-system">{systemText(m)}</span>
            ) : (
              <>
                <span class="msg-who">
                  {m.sender === 'visitor' ? t('chat.visitor') : (m.senderName ?? t('chat.you'))} · {timeOf(m.createdAt)}
                </span>
                <span class="msg-body">{m.body}</span>
                {m.sender === 'counsellor' && c.visitorReadSeq >= m.seq && m.id === lastOwnId(chat.messages) && <span class="msg-read">{t('chat.read')}</span>}
                {m.sender === 'counsellor' && chat.deliveries[m.id] && <DeliveryState d={chat.deliveries[m.id]!} />}
              </>
            )}
          </li>
        ))}
        {chat.outgoing.map((o) => (
          <li key={o.clientMsgId} class={`msg msg-counsellor pending${o.failed ? ' failed' : ''}`}>
            <span class="msg-body">{o.body}</span>
            {o.failed && (
              <span class="error">
                {t('chat.failed')}{' '}
                <button type="button" class="link" onClick={() => void actions.send(c.id, o.body, o.clientMsgId)}>
                  {t('chat.retry')}
                </button>
              </span>
            )}
          </li>
        ))}
      </ol>
      <p class="typing" aria-live="polite">
        {chat.visitorTyping && live ? t('chat.typing') : ''}
      </p>
      {!live && <p class="notice" role="status">{t('chat.ended')}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      {c.channel !== 'phone' && (
      <Composer
        conversationId={c.id}
        language={c.language ?? fallbackLanguage}
        disabled={!live}
        draft={draft}
        setDraft={setDraft}
        onSend={(b) => void send(b)}
        onTyping={(on) => actions.typing(c.id, on)}
      />
      )}
      {last && <span class="visually-hidden" data-testid="last-seq">{last.seq}</span>}
    </section>
  );
}

/** Under a message sent to another channel: its way out, and the reason when it failed (as text). */
function DeliveryState({ d }: { d: MessageDelivery }) {
  return (
    <span class={`msg-delivery delivery-${d.state}`} data-testid="delivery" data-state={d.state}>
      {d.state === 'failed' && d.reason ? t('delivery.reason.' + d.reason) : t('delivery.' + d.state)}
      {d.state === 'failed' && !d.reason && d.error ? `: ${d.error}` : ''}
    </span>
  );
}

function lastOwnId(messages: ChatMessage[]): string | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]!.sender === 'counsellor') return messages[i]!.id;
  return undefined;
}
