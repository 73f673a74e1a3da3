// The inbox's live part, mounted once per session: the counts (read over HTTP at start and on every
// reconnect, then carried by 'offline:changed'), the count in the navigation, and a notice when a child
// leaves a message in one of the counsellor's languages. Nothing here ever holds what a child wrote.
import { useEffect, useState } from 'preact/hooks';
import type { Language, OfflineInboxCounts, OfflineMessageChanged } from '@helpline/shared';
import { api } from '../api.js';
import { t, useLanguage } from '../i18n/index.js';
import { navigate } from '../router.js';
import { onLogout, useSession } from '../session.js';
import { notificationsSupported } from '../counsellor/alerts.js';
import './i18n.js';
import './messages.css';

let counts: OfflineInboxCounts | null = null;
const listeners = new Set<() => void>();
function setCounts(c: OfflineInboxCounts | null): void {
  counts = c;
  for (const fn of listeners) fn();
}
onLogout(() => setCounts(null));

/** The inbox counts, re-rendering on change. */
export function useInboxCounts(): OfflineInboxCounts | null {
  const [, bump] = useState(0);
  useEffect(() => {
    const fn = () => bump((n) => n + 1);
    listeners.add(fn);
    return () => void listeners.delete(fn);
  }, []);
  return counts;
}

/** Waiting messages this person can answer: their languages and those where the child chose none. */
export function waitingForMe(c: OfflineInboxCounts, languages: readonly Language[]): number {
  if (languages.length === 0) return c.waiting;
  return [...languages, 'none' as const].reduce((n, l) => n + (c.waitingByLanguage[l] ?? 0), 0);
}

const isMine = (language: Language | null, mine: readonly Language[]) => language === null || mine.length === 0 || mine.includes(language);

export function MessagesBadge() {
  useLanguage();
  const { profile } = useSession();
  const c = useInboxCounts();
  const n = c ? waitingForMe(c, profile.languages) : 0;
  if (n === 0) return null;
  return (
    <span class="badge nav-badge" data-testid="messages-badge">
      <span aria-hidden="true">{n}</span>
      <span class="visually-hidden">{t('msg.badge', { n })}</span>
    </span>
  );
}

interface Toast {
  id: string;
  language: Language | null;
  waiting: number;
}

const languageName = (language: Language | null) => (language ? t(`language.${language}`) : t('msg.noLanguage'));

/** Only while the console is out of sight (in sight, the notice is enough); the same counts as the notice, never the words. */
function notifyDesktop(x: Toast): void {
  if (!notificationsSupported() || Notification.permission !== 'granted' || document.visibilityState === 'visible') return;
  try {
    const n = new Notification(t('msg.notification'), { tag: `offline-${x.id}`, body: t('msg.notificationBody', { language: languageName(x.language), n: x.waiting }) });
    n.onclick = () => {
      window.focus();
      navigate('/messages');
      n.close();
    };
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}

export function MessagesLive() {
  useLanguage();
  const { socket, profile } = useSession();
  const [toasts, setToasts] = useState<Toast[]>([]);

  useEffect(() => {
    const load = () => {
      void api
        .get<OfflineInboxCounts>('/api/offline-messages/counts')
        .then(setCounts)
        .catch(() => {});
    };
    const onChanged = (e: OfflineMessageChanged) => {
      setCounts(e.counts);
      if (e.change !== 'created' || !isMine(e.language, profile.languages)) return;
      const toast: Toast = { id: e.id, language: e.language, waiting: waitingForMe(e.counts, profile.languages) };
      setToasts((xs) => [...xs.filter((x) => x.id !== e.id), toast].slice(-3));
      notifyDesktop(toast);
    };
    socket.on('offline:changed', onChanged);
    socket.on('connect', load);
    load();
    return () => {
      socket.off('offline:changed', onChanged);
      socket.off('connect', load);
    };
  }, [socket, profile]);

  const dismiss = (id: string) => setToasts((xs) => xs.filter((x) => x.id !== id));
  // The live region exists from the start, so screen readers announce what is added to it.
  return (
    <div class="toasts" role="status" aria-live="polite">
      {toasts.map((x) => (
        <div class="toast card" key={x.id}>
          <span>{t('msg.toast', { language: languageName(x.language), n: x.waiting })}</span>
          <button
            type="button"
            onClick={() => {
              dismiss(x.id);
              navigate('/messages');
            }}
          >
            {t('msg.toastOpen')}
          </button>
          <button type="button" onClick={() => dismiss(x.id)}>
            {t('msg.dismiss')}
          </button>
        </div>
      ))}
    </div>
  );
}
