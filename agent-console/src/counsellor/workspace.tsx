// The counsellor's workspace: presence and offers, the conversations held at once, the selected chat,
// and its tools (case record, internal notes, escalation).
import { useState } from 'preact/hooks';
import { t, useLanguage } from '../i18n/index.js';
import './i18n.voice.js';
import { useSession } from '../session.js';
import { Tabs } from '../components/tabs.js';
import { useWorkspace } from './store.js';
import { PresenceBar } from './presence.js';
import { OfferList } from './offers.js';
import { ConversationList } from './conversation-list.js';
import { ChatPanel } from './chat-panel.js';
import { CaseForm } from './case-form.js';
import { NotesPanel } from './notes-panel.js';
import { EscalatePanel } from './escalate-panel.js';
import { useSoftphone } from './softphone.js';

type Tool = 'case' | 'notes' | 'actions';

export function CounsellorWorkspace() {
  useLanguage();
  const { socket, profile } = useSession();
  const { state, actions } = useWorkspace(socket);
  const phone = useSoftphone();
  const [drafts, setDrafts] = useState<Record<string, string>>({});
  const [tool, setTool] = useState<Tool>('case');
  const [flash, setFlash] = useState<string | null>(null);
  const chat = state.selectedId ? state.chats[state.selectedId] : undefined;
  const fallbackLanguage = profile.languages[0] ?? 'en';

  return (
    <div class="workspace">
      <aside class="ws-side">
        <PresenceBar agent={state.agent} connected={state.connected} actions={actions} />
        {phone.enabled && (
          <p class={phone.registered ? 'muted' : 'warn'} role="status" data-testid="softphone" data-registered={phone.registered}>
            {phone.registered ? t('phone.ready') : t('phone.offline')}
          </p>
        )}
        <OfferList offers={state.offers} actions={actions} />
        <ConversationList state={state} onSelect={actions.select} />
      </aside>
      <div class="ws-main">
        {flash && (
          <p class="ok" role="status">
            {flash}
          </p>
        )}
        {chat ? (
          <ChatPanel
            key={chat.conv.id}
            chat={chat}
            actions={actions}
            draft={drafts[chat.conv.id] ?? ''}
            setDraft={(s) => setDrafts((d) => ({ ...d, [chat.conv.id]: s }))}
            fallbackLanguage={fallbackLanguage}
          />
        ) : (
          <p class="muted card">{t('conv.select')}</p>
        )}
      </div>
      {chat && (
        <aside class="ws-tools card" aria-label={t('tabs.label')}>
          <Tabs
            label={t('tabs.label')}
            idPrefix="tools"
            active={tool}
            onChange={setTool}
            tabs={[
              { key: 'case', label: t('tabs.case') },
              { key: 'notes', label: `${t('tabs.notes')}${chat.notes.length ? ` (${chat.notes.length})` : ''}` },
              { key: 'actions', label: t('tabs.actions') },
            ]}
          >
            {tool === 'case' && (
              <CaseForm
                key={chat.conv.id}
                mode={{ kind: 'close', conversationId: chat.conv.id }}
                onDone={() => {
                  actions.removeChat(chat.conv.id);
                  setFlash(t('case.closed'));
                }}
              />
            )}
            {tool === 'notes' && <NotesPanel conversationId={chat.conv.id} notes={chat.notes} actions={actions} />}
            {tool === 'actions' && (
              <EscalatePanel
                key={chat.conv.id}
                chat={chat}
                actions={actions}
                onInsert={(text) => setDrafts((d) => ({ ...d, [chat.conv.id]: `${(d[chat.conv.id] ?? '').trimEnd()} ${text}`.trim() }))}
              />
            )}
          </Tabs>
        </aside>
      )}
    </div>
  );
}
