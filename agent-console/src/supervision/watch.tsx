// One conversation seen by a supervisor: read-only and unseen until they act. Whisper (to the
// counsellor only), join (the child is told), write, take over, reassign. Text is rendered as text.
import { useEffect, useState } from 'preact/hooks';
import type { BoardCounsellor, ChatMessage, Note, StaffConversation } from '@helpline/shared';
import { emitAck } from '../socket.js';
import { useSession } from '../session.js';
import { t, errorText, loadText } from '../i18n/index.js';
import { navigate } from '../router.js';
import { mergeMessages } from '../counsellor/store.js';

function newId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function WatchPage({ conversationId }: { conversationId: string }) {
  const { socket, profile } = useSession();
  const [conv, setConv] = useState<StaffConversation | null>(null);
  const [messages, setMessages] = useState<ChatMessage[]>([]);
  const [notes, setNotes] = useState<Note[]>([]);
  const [counsellors, setCounsellors] = useState<BoardCounsellor[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [joined, setJoined] = useState(false);
  const canAct = profile.role === 'supervisor';

  useEffect(() => {
    let live = true;
    const load = () =>
      void emitAck(socket, 'supervise:watch', { conversationId }).then((r) => {
        if (!live) return;
        if (!r.ok) return setError(errorText(r.error));
        setConv(r.data.conversation);
        // Merged, not replaced: a message or note that arrived live while the snapshot was on its way
        // (the room is joined before the history is read) must not vanish when the snapshot lands.
        setMessages((xs) => mergeMessages(xs, r.data.messages));
        setNotes((xs) => [...r.data.notes, ...xs.filter((x) => !r.data.notes.some((n) => n.id === x.id))]);
      });
    void emitAck(socket, 'board:snapshot', {}).then((r) => live && r.ok && setCounsellors(r.data.counsellors));
    const onMsg = (m: ChatMessage) => {
      if (m.conversationId !== conversationId) return;
      setMessages((xs) => mergeMessages(xs, [m]));
    };
    const onConv = (c: StaffConversation) => c.id === conversationId && setConv(c);
    const onNote = (n: Note) => n.conversationId === conversationId && setNotes((xs) => (xs.some((x) => x.id === n.id) ? xs : [...xs, n]));
    socket.on('message:new', onMsg);
    socket.on('conversation:updated', onConv);
    socket.on('note:new', onNote);
    socket.on('connect', load);
    if (socket.connected) load();
    return () => {
      live = false;
      socket.off('message:new', onMsg);
      socket.off('conversation:updated', onConv);
      socket.off('note:new', onNote);
      socket.off('connect', load);
      void emitAck(socket, 'supervise:unwatch', { conversationId });
    };
  }, [socket, conversationId]);

  const run = async <T,>(p: Promise<{ ok: true; data: T } | { ok: false; error: { message: string } }>, done?: string): Promise<T | null> => {
    setError(null);
    setNotice(null);
    const r = await p;
    if (!r.ok) {
      setError(errorText(r.error));
      return null;
    }
    if (done) setNotice(done);
    return r.data;
  };

  const author = (m: ChatMessage) => (m.sender === 'visitor' ? t('sv.child') : m.sender === 'system' ? '' : (m.senderName ?? ''));
  return (
    <section class="page watch" aria-labelledby="sv-conv-title">
      <p>
        <a href="#/board">{t('sv.back')}</a>
      </p>
      <h1 id="sv-conv-title">
        {t('sv.convTitle')} {conversationId.slice(0, 8)}
      </h1>
      {conv && (
        <p class="small">
          {t(`conv.state.${conv.state}`)} · {t(`priority.${conv.priority}`)} ·{' '}
          {conv.assignedStaffName ? t('sv.assignedTo', { name: conv.assignedStaffName }) : t('sv.unassigned')}
        </p>
      )}
      <p class="muted">{t('sv.readOnly')}</p>
      <div aria-live="polite">
        {notice && <p class="ok">{notice}</p>}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </div>
      <div class="watch-grid">
        <section class="card" aria-labelledby="sv-transcript">
          <h2 id="sv-transcript">{t('sv.transcript')}</h2>
          <ol class="messages" aria-live="polite">
            {messages.map((m) => (
              <li key={m.seq} class={`msg msg-${m.sender}`}>
                {m.system ? (
                  <span class="msg-system">{t(`sys.${m.system.event}`, m.system.params)}</span>
                ) : (
                  <>
                    <span class="msg-who">{author(m)}</span> <span class="msg-body">{m.body}</span>
                  </>
                )}
              </li>
            ))}
          </ol>
          {canAct && joined && (
            <TextForm
              label={t('sv.message')}
              button={t('sv.send')}
              onSubmit={(body) =>
                // The acknowledgement is the message: the server does not send it back to this socket.
                run(emitAck(socket, 'supervise:send', { conversationId, clientMsgId: newId(), body })).then((x) => {
                  if (x) setMessages((xs) => mergeMessages(xs, [x]));
                  return x !== null;
                })
              }
            />
          )}
        </section>
        <section class="card" aria-labelledby="sv-notes">
          <h2 id="sv-notes">{t('sv.notes')}</h2>
          <ul class="note-list">
            {notes.map((n) => (
              <li key={n.id} class="note">
                <span class="msg-who">
                  {n.staffName ?? ''} {n.whisper && <span class="badge">{t('sv.whisperTag')}</span>}
                </span>{' '}
                <span class="note-body">{n.body}</span>
              </li>
            ))}
          </ul>
          {canAct && (
            <TextForm label={t('sv.whisper')} button={t('sv.whisperSend')} onSubmit={(body) => run(emitAck(socket, 'supervise:whisper', { conversationId, body })).then((x) => x !== null)} />
          )}
        </section>
      </div>
      {canAct && conv && (
        <div class="card row helping-hands">
          {!joined && conv.state === 'active' && (
            <button type="button" onClick={() => void run(emitAck(socket, 'supervise:join', { conversationId }), t('sv.joined')).then((x) => x && setJoined(true))}>
              {t('sv.join')}
            </button>
          )}
          {(conv.state === 'active' || conv.state === 'waiting') && conv.assignedStaffId !== profile.id && (
            <button
              type="button"
              onClick={() =>
                void run(emitAck(socket, 'supervise:takeover', { conversationId }), t('sv.takeoverDone')).then((x) => {
                  if (x !== null) navigate('/chats');
                })
              }
            >
              {t('sv.takeover')}
            </button>
          )}
          {(conv.state === 'active' || conv.state === 'waiting') && (
            <ReassignForm
              counsellors={counsellors.filter((c) => c.staffId !== conv.assignedStaffId && c.status !== 'offline' && c.load < c.capacity)}
              onSubmit={(staffId, note) => run(emitAck(socket, 'supervise:reassign', { conversationId, staffId, note }), t('sv.reassignDone')).then(() => undefined)}
            />
          )}
        </div>
      )}
    </section>
  );
}

function TextForm({ label, button, onSubmit }: { label: string; button: string; onSubmit: (body: string) => Promise<boolean> }) {
  const [text, setText] = useState('');
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        if (!text.trim()) return;
        void onSubmit(text).then((ok) => ok && setText(''));
      }}
    >
      <label>
        {label}
        <textarea rows={2} maxLength={4000} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={!text.trim()}>
        {button}
      </button>
    </form>
  );
}

function ReassignForm({ counsellors, onSubmit }: { counsellors: BoardCounsellor[]; onSubmit: (staffId: string, note: string) => Promise<void> }) {
  const [to, setTo] = useState('');
  const [note, setNote] = useState('');
  return (
    <form
      class="row"
      onSubmit={(e) => {
        e.preventDefault();
        if (to) void onSubmit(to, note);
      }}
    >
      <label>
        {t('sv.reassignTo')}
        <select value={to} onChange={(e) => setTo(e.currentTarget.value)}>
          <option value="">—</option>
          {counsellors.map((c) => (
            <option key={c.staffId} value={c.staffId}>
              {c.name} ({loadText(c.load, c.capacity)})
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('sv.reassignNote')}
        <input type="text" maxLength={4000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={!to}>
        {t('sv.reassign')}
      </button>
    </form>
  );
}
