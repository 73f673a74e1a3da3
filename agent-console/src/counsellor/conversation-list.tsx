import type { WorkspaceState } from './store.js';
import { t } from '../i18n/index.js';
import { timeOf } from './text.js';

export function ConversationList({ state, onSelect }: { state: WorkspaceState; onSelect: (id: string) => void }) {
  return (
    <nav class="conv-list card" aria-label={t('conv.list')}>
      <h2>{t('conv.list')}</h2>
      {!state.order.length && <p class="muted">{t('conv.none')}</p>}
      <ul>
        {state.order.map((id) => {
          const chat = state.chats[id];
          if (!chat) return null;
          const c = chat.conv;
          const label = t('conv.label', { n: chat.n });
          return (
            <li key={id}>
              <button
                type="button"
                class={`conv-item${state.selectedId === id ? ' selected' : ''}`}
                aria-current={state.selectedId === id ? 'true' : undefined}
                data-testid="conv-item"
                onClick={() => onSelect(id)}
              >
                <span class="conv-title">
                  {label}
                  {c.language && <span class="muted"> · {t('language.' + c.language)}</span>}
                </span>
                <span class="conv-sub">
                  <span class={`state state-${c.state}`}>{t('conv.state.' + c.state)}</span>
                  {c.acceptedAt && <span class="muted"> · {t('conv.since', { time: timeOf(c.acceptedAt) })}</span>}
                  {c.riskFlagged && <span class="badge badge-risk">{t('conv.risk')}</span>}
                  {c.helpRequested && <span class="badge">{t('conv.help')}</span>}
                </span>
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
