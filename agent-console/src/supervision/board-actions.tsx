// The board's controls that act: offer a waiting chat to someone, set a counsellor's capacity, overflow
// a queue, switch "leave a message" mode.
import { useState } from 'preact/hooks';
import { LANGUAGES, TOPICS, type BoardCounsellor, type BoardWaiting, type Language, type Topic } from '@helpline/shared';
import { api } from '../api.js';
import { emitAck } from '../socket.js';
import { useSession } from '../session.js';
import { t, loadText } from '../i18n/index.js';

export type Act = (p: Promise<{ ok: boolean; error?: { message: string } }>, done?: string) => Promise<void>;
const short = (id: string) => id.slice(0, 8);

export function AssignForm({ w, free, onAssign }: { w: BoardWaiting; free: BoardCounsellor[]; onAssign: (staffId: string) => Promise<void> }) {
  const [to, setTo] = useState('');
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        if (to) void onAssign(to);
      }}
    >
      <select aria-label={t('sv.assignFor', { n: short(w.id) })} value={to} onChange={(e) => setTo(e.currentTarget.value)}>
        <option value="">{t('sv.assignTo')}</option>
        {free.map((c) => (
          <option key={c.staffId} value={c.staffId}>
            {c.name} ({loadText(c.load, c.capacity)})
          </option>
        ))}
      </select>
      <button type="submit" disabled={!to}>
        {t('sv.assign')}
      </button>
    </form>
  );
}

export function CapacityForm({ c, onSet }: { c: BoardCounsellor; onSet: (n: number) => Promise<void> }) {
  const [n, setN] = useState(String(c.capacity));
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        void onSet(Number(n));
      }}
    >
      <input type="number" min={1} max={20} class="num" aria-label={t('sv.capacityFor', { name: c.name })} value={n} onInput={(e) => setN(e.currentTarget.value)} />
      <button type="submit" aria-label={t('sv.setCapacityFor', { name: c.name })}>
        {t('sv.setCapacity')}
      </button>
    </form>
  );
}

export function Overflow({ act }: { act: Act }) {
  const { socket } = useSession();
  const [language, setLanguage] = useState<Language | ''>('');
  const [topic, setTopic] = useState<Topic | ''>('');
  return (
    <section class="card" aria-labelledby="sv-overflow">
      <h2 id="sv-overflow">{t('sv.overflowTitle')}</h2>
      <p class="small">{t('sv.overflowHelp')}</p>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          void (async () => {
            const r = await emitAck(socket, 'supervise:overflow', { ...(language ? { language } : {}), ...(topic ? { topic } : {}) });
            await act(Promise.resolve(r), r.ok ? t('sv.overflowDone', { count: r.data.count }) : undefined);
          })();
        }}
      >
        <select aria-label={t('sv.col.language')} value={language} onChange={(e) => setLanguage(e.currentTarget.value as Language | '')}>
          <option value="">{t('sv.anyLanguage')}</option>
          {LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {t(`language.${l}`)}
            </option>
          ))}
        </select>
        <select aria-label={t('sv.col.topic')} value={topic} onChange={(e) => setTopic(e.currentTarget.value as Topic | '')}>
          <option value="">{t('sv.anyTopic')}</option>
          {TOPICS.map((x) => (
            <option key={x} value={x}>
              {t(`topic.${x}`)}
            </option>
          ))}
        </select>
        <button type="submit">{t('sv.overflowDo')}</button>
      </form>
    </section>
  );
}

export function SurgeSwitch({ on, onError }: { on: boolean; onError: (m: string) => void }) {
  return (
    <label class="surge" title={t('sv.surgeHelp')}>
      <input
        type="checkbox"
        checked={on}
        onChange={(e) => {
          api.put('/api/supervision/surge', { leaveMessageOnly: e.currentTarget.checked }).catch(() => onError(t('common.error')));
        }}
      />
      {t('sv.surge')}
    </label>
  );
}
