// The inbox of left messages ('/messages') and one message ('/messages/<id>'). The list never holds
// what a child wrote; opening a message reads it (audited on the server).
import { useEffect, useRef, useState } from 'preact/hooks';
import type { OfflineMessageChanged, OfflineMessageList, OfflineMessageState, StaffOfflineMessageSummary } from '@helpline/shared';
import { api } from '../api.js';
import { t, useLanguage, formatDateTime } from '../i18n/index.js';
import { navigate } from '../router.js';
import type { RouteProps } from '../routes.js';
import { useSession } from '../session.js';
import { useNow } from '../components/use-now.js';
import { MessageView } from './message-view.js';
import './i18n.js';
import './messages.css';

type Filter = 'open' | OfflineMessageState | 'all';
const FILTERS: Filter[] = ['open', 'new', 'claimed', 'answered', 'picked_up', 'all'];

/** "3 h", "12 min", "2 d": how long, roughly, as staff say it. */
export function age(fromIso: string, now: number): string {
  const min = Math.floor(Math.max(0, now - Date.parse(fromIso)) / 60_000);
  if (min < 1) return t('msg.age.now');
  if (min < 60) return t('msg.age.min', { n: min });
  const h = Math.floor(min / 60);
  return h < 48 ? t('msg.age.h', { n: h }) : t('msg.age.d', { n: Math.floor(h / 24) });
}

export function languageName(l: string | null): string {
  return l ? t(`language.${l}`) : t('msg.noLanguage');
}

export function MessagesPage({ subpath }: RouteProps) {
  useLanguage();
  const id = subpath.replace(/^\//, '');
  if (id) return <MessageView key={id} id={id} />;
  return <Inbox />;
}

function stateText(m: StaffOfflineMessageSummary): string {
  const s = t(`msg.state.${m.state}`);
  if (m.state === 'claimed' && m.claimedByName) return `${s} ${t('msg.by', { name: m.claimedByName })}`;
  if ((m.state === 'answered' || m.state === 'picked_up') && m.answeredByName) return `${s} · ${t('msg.by', { name: m.answeredByName })}`;
  return s;
}

function ageText(m: StaffOfflineMessageSummary, now: number): string {
  if (m.state === 'new' || m.state === 'claimed') return t('msg.waitingFor', { age: age(m.createdAt, now) });
  const at = m.state === 'picked_up' ? m.pickedUpAt : m.answeredAt;
  return at ? t('msg.ago', { age: age(at, now) }) : '';
}

// The last choice is kept while the console is open, so going back from a message shows the same list.
let lastFilter: Filter = 'open';
let lastAll = false;

function Inbox() {
  const { socket } = useSession();
  const [filter, setFilter] = useState<Filter>(lastFilter);
  const [all, setAll] = useState(lastAll);
  const [rows, setRows] = useState<StaffOfflineMessageSummary[] | null>(null);
  const [error, setError] = useState(false);
  const now = useNow(true, 30_000);

  // Only the latest request's answer is shown: a reload for an event can answer after the list of a
  // filter chosen since, and must not replace it (seen in CI: the "picked up" list showed the old one).
  const latest = useRef(0);
  const load = () => {
    lastFilter = filter;
    lastAll = all;
    const q = new URLSearchParams({ state: filter, ...(all ? { languages: 'all' } : {}) });
    const mine = ++latest.current;
    api
      .get<OfflineMessageList>(`/api/offline-messages?${q.toString()}`)
      .then((r) => {
        if (mine !== latest.current) return;
        setError(false);
        setRows(r.messages);
      })
      .catch(() => {
        if (mine === latest.current) setError(true);
      });
  };
  useEffect(load, [filter, all]);
  useEffect(() => {
    const reload = (_e?: OfflineMessageChanged) => load();
    socket.on('offline:changed', reload);
    socket.on('connect', reload);
    return () => {
      socket.off('offline:changed', reload);
      socket.off('connect', reload);
    };
  }, [socket, filter, all]);

  return (
    <section class="page offline-inbox" aria-labelledby="msg-title">
      <div class="row msg-head">
        <h1 id="msg-title">{t('msg.title')}</h1>
        <label class="msg-inline">
          {t('msg.filter')}
          <select value={filter} onChange={(e) => setFilter(e.currentTarget.value as Filter)}>
            {FILTERS.map((f) => (
              <option key={f} value={f}>
                {t(`msg.filter.${f}`)}
              </option>
            ))}
          </select>
        </label>
        <label class="msg-inline">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />
          {t('msg.allLanguages')}
        </label>
        <button type="button" onClick={load}>
          {t('msg.refresh')}
        </button>
      </div>
      <p class="muted">{t('msg.intro')}</p>
      {error && (
        <p class="error" role="alert">
          {t('common.error')}
        </p>
      )}
      {rows === null ? (
        <p role="status">{t('common.loading')}</p>
      ) : rows.length === 0 ? (
        <p>{t('msg.empty')}</p>
      ) : (
        <table class="list" data-testid="messages-list">
          <thead>
            <tr>
              <th scope="col">{t('msg.col.reference')}</th>
              <th scope="col">{t('msg.col.language')}</th>
              <th scope="col">{t('msg.col.ageGroup')}</th>
              <th scope="col">{t('msg.col.state')}</th>
              <th scope="col">{t('msg.col.age')}</th>
              <th scope="col">{t('msg.col.received')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((m) => (
              <tr key={m.id} data-reference={m.reference}>
                <td>
                  <button type="button" class="linklike" aria-label={t('msg.open', { reference: m.reference })} onClick={() => navigate(`/messages/${m.id}`)}>
                    {m.reference}
                  </button>
                </td>
                <td>{languageName(m.language)}</td>
                <td>{m.ageGroup ? t(`ageGroup.${m.ageGroup}`) : t('common.none')}</td>
                <td>
                  <span class={`msg-state msg-state-${m.state}`}>{stateText(m)}</span>
                </td>
                <td>{ageText(m, now)}</td>
                <td>{formatDateTime(m.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
