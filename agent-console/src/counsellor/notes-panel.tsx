import { useState } from 'preact/hooks';
import { LIMITS, type Note } from '@helpline/shared';
import { t, errorText } from '../i18n/index.js';
import { timeOf } from './text.js';
import type { WorkspaceActions } from './store.js';

export function NotesPanel({ conversationId, notes, actions }: { conversationId: string; notes: Note[]; actions: WorkspaceActions }) {
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const add = async (e: Event) => {
    e.preventDefault();
    if (!body.trim()) return;
    setBusy(true);
    setError(null);
    const ack = await actions.addNote(conversationId, body.trim());
    setBusy(false);
    if (ack.ok) setBody('');
    else setError(errorText(ack.error));
  };

  return (
    <div class="notes">
      <p class="muted">{t('notes.hint')}</p>
      {!notes.length && <p class="muted">{t('notes.none')}</p>}
      <ul class="note-list" data-testid="notes">
        {notes.map((n) => (
          <li key={n.id} class="note">
            <span class="muted small">
              {n.staffName ?? ''} · {timeOf(n.createdAt)} {n.whisper && <span class="badge">{t('notes.whisper')}</span>}
            </span>
            <span class="note-body">{n.body}</span>
          </li>
        ))}
      </ul>
      <form onSubmit={add} class="note-form">
        <label>
          {t('notes.new')}
          <textarea rows={3} maxLength={LIMITS.noteMaxChars} value={body} onInput={(e) => setBody(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !body.trim()}>
          {t('notes.add')}
        </button>
      </form>
    </div>
  );
}
