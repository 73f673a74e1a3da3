// A hotline report from the conversation: only the URLs the child sent (pre-filled), never media.
import { useState } from 'preact/hooks';
import { ApiError, api } from '../api.js';
import { t, errorText } from '../i18n/index.js';
import { Dialog } from '../components/dialog.js';
import { extractVisitorUrls } from './text.js';
import type { ChatState } from './store.js';

export function HotlineDialog({ chat, onClose, onDone }: { chat: ChatState; onClose: () => void; onDone: (reference: string) => void }) {
  const [urls, setUrls] = useState(() => extractVisitorUrls(chat.messages).join('\n'));
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    const list = urls
      .split(/\s+/)
      .map((u) => u.trim())
      .filter((u) => /^https?:\/\//i.test(u));
    if (!list.length) return setError(t('esc.hotlineNoUrls'));
    setBusy(true);
    setError(null);
    try {
      const res = await api.post<{ id: string; reference: string }>(`/api/conversations/${chat.conv.id}/hotline-report`, {
        urls: list,
        ...(description.trim() ? { description: description.trim() } : {}),
      });
      onDone(res.reference);
    } catch (err) {
      setError(err instanceof ApiError ? errorText(err) : t('common.error'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog title={t('esc.hotlineTitle')} onClose={onClose}>
      <form onSubmit={submit} class="dialog-form">
        <p class="muted">{t('esc.hotlineNoMedia')}</p>
        <label>
          {t('esc.hotlineUrls')}
          <textarea name="urls" rows={4} value={urls} spellcheck={false} onInput={(e) => setUrls(e.currentTarget.value)} />
        </label>
        <label>
          {t('esc.hotlineDescription')}
          <textarea name="description" rows={3} maxLength={4000} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <div class="row">
          <button type="submit" class="primary" disabled={busy}>
            {t('esc.hotlineSubmit')}
          </button>
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
