// The counsellor's chats: each with a name that tells them apart without personal data (what it is
// about, the age group, and a short code of the conversation), the channel and the child's language,
// the last message, and how long the child has been waiting for an answer.
import type { ChatMessage, StaffConversation } from '@helpline/shared';
import type { ChatState, WorkspaceState } from './store.js';
import { t } from '../i18n/index.js';
import { useNow } from '../components/use-now.js';
import { timeOf } from './text.js';

/** A short code of the conversation, the same in every session and on every screen ("3F2A"). */
export const shortCode = (id: string) => id.replace(/-/g, '').slice(0, 4).toUpperCase();

/** "Parents, 12–18 · 3F2A": topic and age group when known, else the channel; never who the child is. */
export function conversationName(c: StaffConversation): string {
  const about = [c.topic && t('topic.' + c.topic), c.ageGroup && t('ageGroup.' + c.ageGroup)].filter(Boolean).join(', ');
  return t('conv.name', { about: about || t('channel.' + c.channel), code: shortCode(c.id) });
}

const said = (m: ChatMessage) => m.sender !== 'system';

/** The child's oldest message the counsellor has not answered yet (the wait runs from it). */
export function unansweredSince(messages: readonly ChatMessage[]): string | null {
  let since: string | null = null;
  for (const m of messages) {
    if (m.sender === 'counsellor') since = null;
    else if (m.sender === 'visitor' && since === null) since = m.createdAt;
  }
  return since;
}

const PREVIEW_CHARS = 60;
function preview(chat: ChatState): { own: boolean; text: string } | null {
  // A message still on its way is newer than anything the server has confirmed.
  const pending = chat.outgoing[chat.outgoing.length - 1];
  const last = pending ? { own: true, body: pending.body } : [...chat.messages].reverse().find(said);
  if (!last) return null;
  const own = 'own' in last ? last.own : last.sender === 'counsellor';
  const text = last.body.replace(/\s+/g, ' ').trim();
  return { own, text: text.length > PREVIEW_CHARS ? text.slice(0, PREVIEW_CHARS - 1) + '…' : text };
}

function waitText(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s >= 3600) return t('conv.waitHours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
  return s >= 60 ? t('conv.waitMinutes', { m: Math.floor(s / 60), s: s % 60 }) : t('conv.waitSeconds', { s });
}

export function ConversationList({ state, onSelect }: { state: WorkspaceState; onSelect: (id: string) => void }) {
  const live = (c: ChatState) => c.conv.state === 'active';
  const anyWaiting = state.order.some((id) => state.chats[id] && live(state.chats[id]!) && unansweredSince(state.chats[id]!.messages));
  const now = useNow(anyWaiting, 1000);
  return (
    <nav class="conv-list card" aria-label={t('conv.list')}>
      <h2>{t('conv.list')}</h2>
      {!state.order.length && <p class="muted">{t('conv.none')}</p>}
      <ul>
        {state.order.map((id) => {
          const chat = state.chats[id];
          if (!chat) return null;
          const c = chat.conv;
          const last = preview(chat);
          const since = live(chat) ? unansweredSince(chat.messages) : null;
          const waited = since ? (now - Date.parse(since)) / 1000 : 0;
          return (
            <li key={id}>
              <button
                type="button"
                class={`conv-item${state.selectedId === id ? ' selected' : ''}`}
                aria-current={state.selectedId === id ? 'true' : undefined}
                data-testid="conv-item"
                onClick={() => onSelect(id)}
              >
                <span class="conv-title">{conversationName(c)}</span>
                <span class="conv-meta muted" data-testid="conv-meta">
                  {t('channel.' + c.channel)}
                  {c.language && <> · {t('language.' + c.language)}</>}
                </span>
                <span class="conv-sub">
                  <span class={`state state-${c.state}`}>{t('conv.state.' + c.state)}</span>
                  {c.acceptedAt && <span class="muted"> · {t('conv.since', { time: timeOf(c.acceptedAt) })}</span>}
                  {c.riskFlagged && <span class="badge badge-risk">{t('conv.risk')}</span>}
                  {c.helpRequested && <span class="badge">{t('conv.help')}</span>}
                </span>
                {since && (
                  <span class={`conv-wait${waited >= 120 ? ' conv-wait-long' : ''}`} data-testid="conv-wait">
                    {t('conv.waiting', { time: waitText(waited) })}
                  </span>
                )}
                {/* Drawn by CSS from the attribute (::after): screen readers read it within the button's
                    name, but it is not a second copy of the message's text in the page, so finding a
                    message (find in page, tests) finds it once, in its conversation. */}
                {last && <span class="conv-last" data-testid="conv-last" data-preview={last.own ? t('conv.lastOwn', { text: last.text }) : last.text} />}
                {chat.unread > 0 && (
                  <span class="unread" data-testid="unread">
                    <span aria-hidden="true">{chat.unread}</span>
                    <span class="visually-hidden">{t('conv.unread', { count: chat.unread })}</span>
                  </span>
                )}
              </button>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
