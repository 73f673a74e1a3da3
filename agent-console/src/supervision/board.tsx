// The supervisors' live board: queue, counsellors, conversations in progress, today's figures and
// alerts, with the helping hands that act on counsellors and queues. '#/board/c/<id>' opens a
// conversation (watch.tsx).
import { useState } from 'preact/hooks';
import type { BoardSnapshot } from '@helpline/shared';
import type { RouteProps } from '../routes.js';
import { emitAck } from '../socket.js';
import { useSession } from '../session.js';
import { t, useLanguage, formatTimeSeconds, formatNumber, errorText, loadText } from '../i18n/index.js';
import { useNow } from '../components/use-now.js';
import { duration, longDuration, useBoard } from './use-board.js';
import { WatchPage } from './watch.js';
import { AssignForm, CapacityForm, Overflow, SurgeSwitch, type Act } from './board-actions.js';
import './i18n.js';
import './supervision.css';

export function BoardPage({ subpath }: RouteProps) {
  useLanguage();
  const m = /^\/c\/([0-9a-f-]{36})$/.exec(subpath);
  if (m) return <WatchPage conversationId={m[1]!} />;
  return <Board />;
}

const label = (prefix: string, v: string | null) => (v ? t(`${prefix}.${v}`) : t('common.none'));
const short = (id: string) => id.slice(0, 8);

function Board() {
  const { socket, profile } = useSession();
  const { board, receivedAt, alerts, dismiss } = useBoard(socket);
  const now = useNow(true, 1000);
  const canAct = profile.role === 'supervisor';
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!board) return <p role="status">{t('sv.connecting')}</p>;
  const drift = Math.max(0, (now - receivedAt) / 1000);
  const act = async (p: Promise<{ ok: boolean; error?: { message: string } }>, done?: string) => {
    setError(null);
    const r = await p;
    if (!r.ok) setError(errorText(r.error));
    else if (done) setNotice(done);
  };

  return (
    <section class="page board" aria-labelledby="sv-title">
      <div class="row board-head">
        <h1 id="sv-title">{t('sv.title')}</h1>
        <span class="muted small">{t('sv.updated', { time: formatTimeSeconds(board.at) })}</span>
        {canAct && <SurgeSwitch on={board.surge.leaveMessageOnly} onError={setError} />}
      </div>
      {board.surge.leaveMessageOnly && <p class="warn">{t('sv.surgeOn')}</p>}
      <Alerts alerts={alerts} dismiss={dismiss} canOpen={canAct} />
      <div aria-live="polite">
        {notice && <p class="ok">{notice}</p>}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </div>
      <Tiles board={board} drift={drift} />
      <div class="board-grid">
        <ChannelQueues board={board} drift={drift} />
        <QueueGroups board={board} drift={drift} />
        <WaitingList board={board} drift={drift} canAct={canAct} act={act} />
        <Counsellors board={board} drift={drift} canAct={canAct} act={act} />
        <Live board={board} drift={drift} canOpen={canAct} />
        {canAct && <Overflow act={act} />}
      </div>
    </section>
  );
}

function Tiles({ board, drift }: { board: BoardSnapshot; drift: number }) {
  const sl = board.today.serviceLevel;
  const tiles: [string, string, boolean?][] = [
    [t('sv.waiting'), String(board.waiting.total), board.waiting.byPriority.urgent > 0],
    [t('sv.longestWait'), board.waiting.total ? duration(board.waiting.longestWaitSeconds + drift, t) : t('common.none')],
    [t('sv.estimatedWait'), board.waiting.estimatedWaitSeconds === null ? t('common.none') : duration(board.waiting.estimatedWaitSeconds, t)],
    [t('sv.inProgress'), String(board.live.total)],
    [t('sv.inWrapup'), String(board.live.inWrapup)],
    [t('sv.answeredToday'), String(board.today.answered)],
    [t('sv.abandonedToday'), String(board.today.abandoned)],
    [t('sv.serviceLevel', { target: sl.targetSeconds }), sl.share === null ? t('common.none') : formatNumber(sl.share, { style: 'percent' })],
    [t('sv.asa'), board.today.asaSeconds === null ? t('common.none') : duration(board.today.asaSeconds, t)],
    // Left messages: answers due in hours, not seconds; a waiting one is a child nobody has heard yet.
    [t('sv.offlineWaiting'), String(board.offlineMessages.waiting), board.offlineMessages.waiting > 0],
    [t('sv.offlineOldest'), board.offlineMessages.oldestWaitSeconds === null ? t('common.none') : longDuration(board.offlineMessages.oldestWaitSeconds + drift)],
    [t('sv.offlineClaimed'), String(board.offlineMessages.claimed)],
  ];
  return (
    <dl class="tiles">
      {tiles.map(([k, v, hot]) => (
        <div key={k} class={hot ? 'tile tile-hot' : 'tile'}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Each channel's queue against its own target (an e-mail may wait hours, a call seconds). */
function ChannelQueues({ board, drift }: { board: BoardSnapshot; drift: number }) {
  return (
    <section class="card" aria-labelledby="sv-by-channel">
      <h2 id="sv-by-channel">{t('sv.byChannel')}</h2>
      {board.waiting.byChannel.length === 0 ? (
        <p class="muted">{t('sv.none')}</p>
      ) : (
        <table aria-labelledby="sv-by-channel">
          <thead>
            <tr>
              <th scope="col">{t('sv.col.channel')}</th>
              <th scope="col">{t('sv.col.count')}</th>
              <th scope="col">{t('sv.col.oldest')}</th>
              <th scope="col">{t('sv.col.target')}</th>
            </tr>
          </thead>
          <tbody>
            {board.waiting.byChannel.map((c) => {
              const oldest = c.oldestWaitSeconds + drift;
              const over = oldest > c.targetSeconds;
              return (
                <tr key={c.channel} class={over ? 'urgent' : undefined} data-channel={c.channel}>
                  <td>{t(`channel.${c.channel}`)}</td>
                  <td>{c.waiting}</td>
                  <td>
                    {longDuration(oldest)}
                    {over && <> · {t('sv.overTarget')}</>}
                  </td>
                  <td>{longDuration(c.targetSeconds)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Alerts({ alerts, dismiss, canOpen }: { alerts: ReturnType<typeof useBoard>['alerts']; dismiss: (id: string) => void; canOpen: boolean }) {
  return (
    <section aria-label={t('sv.alerts')} class="alerts" aria-live="assertive">
      {alerts.map((a) => (
        <p key={a.id} class={a.kind === 'risk' || a.kind === 'long_wait' ? 'alert alert-urgent' : 'alert'} role="alert">
          <span>
            {t(`sv.alert.${a.kind}`)} · {formatTimeSeconds(a.at)}
          </span>
          {canOpen && a.conversationId && (
            <a href={`#/board/c/${a.conversationId}`} aria-label={t('sv.openConv', { n: short(a.conversationId) })}>
              {t('sv.open')}
            </a>
          )}
          <button type="button" onClick={() => dismiss(a.id)}>
            {t('sv.dismiss')}
          </button>
        </p>
      ))}
    </section>
  );
}

function QueueGroups({ board, drift }: { board: BoardSnapshot; drift: number }) {
  return (
    <section class="card" aria-labelledby="sv-queue">
      <h2 id="sv-queue">{t('sv.queue')}</h2>
      {board.waiting.groups.length === 0 ? (
        <p class="muted">{t('sv.none')}</p>
      ) : (
        <table aria-labelledby="sv-queue">
          <thead>
            <tr>
              <th scope="col">{t('sv.col.language')}</th>
              <th scope="col">{t('sv.col.topic')}</th>
              <th scope="col">{t('sv.col.priority')}</th>
              <th scope="col">{t('sv.col.count')}</th>
              <th scope="col">{t('sv.col.longest')}</th>
            </tr>
          </thead>
          <tbody>
            {board.waiting.groups.map((g) => (
              <tr key={`${g.language}|${g.topic}|${g.priority}`} class={g.priority === 'urgent' ? 'urgent' : undefined}>
                <td>{label('language', g.language)}</td>
                <td>{label('topic', g.topic)}</td>
                <td>{t(`priority.${g.priority}`)}</td>
                <td>{g.count}</td>
                <td>{duration(g.longestWaitSeconds + drift, t)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function WaitingList({ board, drift, canAct, act }: { board: BoardSnapshot; drift: number; canAct: boolean; act: Act }) {
  const { socket } = useSession();
  const free = board.counsellors.filter((c) => c.status !== 'offline' && c.load < c.capacity);
  return (
    <section class="card" aria-labelledby="sv-waiting">
      <h2 id="sv-waiting">{t('sv.queueList')}</h2>
      {board.waiting.list.length === 0 ? (
        <p class="muted">{t('sv.none')}</p>
      ) : (
        <table aria-labelledby="sv-waiting">
          <thead>
            <tr>
              <th scope="col">{t('sv.col.priority')}</th>
              <th scope="col">{t('sv.col.language')}</th>
              <th scope="col">{t('sv.col.topic')}</th>
              <th scope="col">{t('sv.col.wait')}</th>
              <th scope="col">{t('sv.col.state')}</th>
              <th scope="col">{t('sv.col.actions')}</th>
            </tr>
          </thead>
          <tbody>
            {board.waiting.list.map((w) => (
              <tr key={w.id} class={w.priority === 'urgent' ? 'urgent' : undefined}>
                <td>
                  {t(`priority.${w.priority}`)} {w.riskFlagged && <span class="badge badge-risk">{t('sv.risk')}</span>}
                </td>
                <td>{label('language', w.language)}</td>
                <td>{label('topic', w.topic)}</td>
                <td>{duration(w.waitSeconds + drift, t)}</td>
                <td>
                  {t(`sv.state.${w.state}`)} {w.overflow && <span class="badge">{t('sv.overflow')}</span>}{' '}
                  {w.reservedFor && <span class="badge">{t('sv.reservedFor', { name: w.reservedFor })}</span>}
                </td>
                <td>
                  {canAct && (
                    <a href={`#/board/c/${w.id}`} aria-label={t('sv.openConv', { n: short(w.id) })}>
                      {t('sv.open')}
                    </a>
                  )}
                  {canAct && w.state === 'waiting' && <AssignForm w={w} free={free} onAssign={(staffId) => act(emitAck(socket, 'supervise:reassign', { conversationId: w.id, staffId }))} />}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Seconds in the current state, measured on the server's clock and ticking locally from the snapshot. */
const inState = (board: BoardSnapshot, since: string, drift: number) => Math.max(0, (Date.parse(board.at) - Date.parse(since)) / 1000) + drift;

function Counsellors({ board, drift, canAct, act }: { board: BoardSnapshot; drift: number; canAct: boolean; act: Act }) {
  const { socket } = useSession();
  return (
    <section class="card" aria-labelledby="sv-counsellors">
      <h2 id="sv-counsellors">{t('sv.counsellors')}</h2>
      <p class="small">
        {(['available', 'busy', 'wrapup', 'away', 'offline'] as const).map((s) => `${t(`sv.state.${s}`)}: ${board.byState[s]}`).join(' · ')}
      </p>
      <table aria-labelledby="sv-counsellors">
        <thead>
          <tr>
            <th scope="col">{t('sv.col.name')}</th>
            <th scope="col">{t('sv.col.state')}</th>
            <th scope="col">{t('sv.col.load')}</th>
            <th scope="col">{t('sv.col.skills')}</th>
            <th scope="col">{t('sv.col.timeInState')}</th>
            {canAct && <th scope="col">{t('sv.col.actions')}</th>}
          </tr>
        </thead>
        <tbody>
          {board.counsellors.map((c) => (
            <tr key={c.staffId} data-state={c.state}>
              <td>{c.name}</td>
              <td>
                <span class={`dot dot-${c.state}`} aria-hidden="true" /> {t(`sv.state.${c.state}`)}
              </td>
              <td>
                {loadText(c.load, c.capacity)}
              </td>
              <td>{c.languages.map((l) => t('language.' + l)).join(', ')}</td>
              <td class="time-in-state" title={t('sv.inStateSince', { time: formatTimeSeconds(c.since) })}>
                {longDuration(inState(board, c.since, drift))}
              </td>
              {canAct && (
                <td>
                  <select
                    aria-label={t('sv.statusFor', { name: c.name })}
                    value={c.status}
                    onChange={(e) => void act(emitAck(socket, 'supervise:agent', { staffId: c.staffId, status: e.currentTarget.value as 'available' | 'away' | 'offline' }))}
                  >
                    {(['available', 'away', 'offline'] as const).map((s) => (
                      <option key={s} value={s}>
                        {t(`status.${s}`)}
                      </option>
                    ))}
                  </select>
                  <CapacityForm c={c} onSet={(capacity) => act(emitAck(socket, 'supervise:agent', { staffId: c.staffId, capacity }))} />
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function Live({ board, drift, canOpen }: { board: BoardSnapshot; drift: number; canOpen: boolean }) {
  return (
    <section class="card" aria-labelledby="sv-live">
      <h2 id="sv-live">{t('sv.live')}</h2>
      {board.live.list.length === 0 ? (
        <p class="muted">{t('sv.none')}</p>
      ) : (
        <table aria-labelledby="sv-live">
          <thead>
            <tr>
              <th scope="col">{t('sv.col.counsellor')}</th>
              <th scope="col">{t('sv.col.language')}</th>
              <th scope="col">{t('sv.col.duration')}</th>
              <th scope="col">{t('sv.col.flags')}</th>
              {canOpen && <th scope="col">{t('sv.col.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {board.live.list.map((l) => (
              <tr key={l.id} class={l.riskFlagged || l.helpRequested ? 'urgent' : undefined}>
                <td>{l.staffName ?? t('common.none')}</td>
                <td>{label('language', l.language)}</td>
                <td>{duration(l.durationSeconds + drift, t)}</td>
                <td>
                  {l.riskFlagged && <span class="badge badge-risk">{t('sv.risk')}</span>} {l.helpRequested && <span class="badge badge-risk">{t('sv.help')}</span>}
                </td>
                {canOpen && (
                  <td>
                    <a href={`#/board/c/${l.id}`} aria-label={t('sv.openConv', { n: short(l.id) })}>
                      {t('sv.open')}
                    </a>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
