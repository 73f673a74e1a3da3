// The child's side of the conversation, independent of the UI: the socket, the transcript, the
// outbox that survives offline periods and reloads, and the quick exit. The UI subscribes to changes.
import { io, type Socket } from 'socket.io-client';
import { NAMESPACES } from '@helpline/shared';
import type {
  Ack,
  AckDataOf,
  AckedEvents,
  ApiError,
  ChatMessage,
  ServiceStatus,
  StartConversationPayload,
  VisitorConversation,
  WidgetClientToServerEvents,
  WidgetHandshakeAuth,
  WidgetServerToClientEvents,
  PayloadOf,
} from '@helpline/shared';
import { contiguousSeq, isEnded, mergeMessages, newClientMsgId, pendingOnly, type OutboxItem } from './messages.js';
import { storage } from './storage.js';

type WidgetSocket = Socket<WidgetServerToClientEvents, WidgetClientToServerEvents>;
type Events = WidgetClientToServerEvents;
/** What of the socket `emit` needs: emitting with an acknowledgement callback (the typed socket is one). */
interface Emitter {
  emit(event: string, ...args: unknown[]): unknown;
}

export type Connection = 'idle' | 'connecting' | 'online' | 'offline' | 'refused';

export interface SessionState {
  connection: Connection;
  conversation: VisitorConversation | null;
  messages: ChatMessage[];
  outbox: OutboxItem[];
  /** The outbox item on the wire now. */
  sendingId: string | null;
  service: ServiceStatus | null;
  counsellorTyping: boolean;
  error: ApiError['code'] | null;
}

const ACK_TIMEOUT_MS = 15_000;
const TYPING_IDLE_MS = 4_000;
const TYPING_SHOWN_MS = 8_000;
const STATUS_POLL_MS = 30_000;

export class ChatSession {
  state: SessionState;
  private socket: WidgetSocket | null = null;
  private listeners = new Set<() => void>();
  private flushing = false;
  private exiting = false;
  /** After a page load, an already ended conversation is not shown again: the child starts afresh. */
  private firstResume = true;
  private typingSent = 0;
  private typingIdle: ReturnType<typeof setTimeout> | undefined;
  private typingShown: ReturnType<typeof setTimeout> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly origin: string,
    private readonly hostOrigin: string,
  ) {
    this.state = {
      connection: 'idle',
      conversation: null,
      messages: [],
      outbox: storage.getJson<OutboxItem[]>('outbox', []),
      sendingId: null,
      service: null,
      counsellorTyping: false,
      error: null,
    };
  }

  get hasToken(): boolean {
    return !!storage.get('token');
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private set(patch: Partial<SessionState>): void {
    this.state = { ...this.state, ...patch };
    if (!this.exiting && 'outbox' in patch) storage.setJson('outbox', this.state.outbox);
    for (const fn of this.listeners) fn();
  }

  /** Connect (idempotent). The socket's auth is read on every (re)connection, so a new token is used. */
  connect(): void {
    if (this.socket || this.exiting) return;
    this.set({ connection: 'connecting' });
    const s: WidgetSocket = io(`${this.origin}${NAMESPACES.widget}`, {
      path: '/socket.io',
      transports: ['websocket', 'polling'],
      auth: (cb) => {
        const token = storage.get('token');
        const auth: WidgetHandshakeAuth = { hostOrigin: this.hostOrigin, ...(token ? { token } : {}) };
        cb(auth);
      },
    });
    this.socket = s;
    s.on('connect', () => void this.onConnect());
    s.on('disconnect', (reason) => {
      // Our outbox is the one queue: socket.io's own buffer would send the same messages again.
      s.sendBuffer = [];
      this.set({ connection: 'offline', sendingId: null, counsellorTyping: false });
      // A server that restarts or disconnects us on purpose is not retried by socket.io itself.
      if (reason === 'io server disconnect' && !this.exiting) this.later(() => s.connect(), 1000 + Math.random() * 2000);
    });
    s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      if (err.message === 'origin_not_allowed') return this.set({ connection: 'refused' });
      this.set({ connection: 'offline' });
      // Refused by our middleware (e.g. unavailable): socket.io does not retry those.
      if (err.data?.code) this.later(() => s.connect(), 3000 + Math.random() * 3000);
    });
    s.on('message:new', (m) => this.onMessage(m));
    s.on('conversation:updated', (c) => {
      // Updates of a chat the child has left behind (e.g. closed after wrap-up) must not reopen it.
      if (c.id === this.state.conversation?.id) this.set({ conversation: c, ...(isEnded(c) ? { counsellorTyping: false } : {}) });
    });
    s.on('typing', (p) => {
      if (p.conversationId !== this.state.conversation?.id) return;
      clearTimeout(this.typingShown);
      if (p.typing) this.typingShown = setTimeout(() => this.set({ counsellorTyping: false }), TYPING_SHOWN_MS);
      this.set({ counsellorTyping: p.typing });
    });
    s.on('message:read', (p) => {
      const c = this.state.conversation;
      if (c && p.conversationId === c.id && p.seq > c.readSeq) this.set({ conversation: { ...c, readSeq: p.seq } });
    });
    s.on('session:ended', (p) => {
      if (p.reason === 'exit' || p.reason === 'revoked') this.forget();
    });
    // Nothing pushes "a counsellor came online": while it matters (start screen, queue), ask now and then.
    setInterval(() => {
      const c = this.state.conversation;
      if (s.connected && (!c || c.state === 'waiting' || isEnded(c))) void this.refreshStatus();
    }, STATUS_POLL_MS);
    // The browser knows before the socket's heartbeat does: drop the dead connection and retry on return.
    window.addEventListener('offline', this.onBrowserOffline);
    window.addEventListener('online', this.onBrowserOnline);
  }

  private onBrowserOffline = (): void => {
    this.socket?.io.engine?.close();
  };
  private onBrowserOnline = (): void => {
    if (this.socket && !this.socket.connected) this.socket.connect();
  };

  private later(fn: () => void, ms: number): void {
    clearTimeout(this.retry);
    this.retry = setTimeout(fn, ms);
  }

  /** Emit with an acknowledgement typed from the shared event map; never rejects (offline and timeouts are 'unavailable'). */
  private emit<E extends AckedEvents<Events> & string>(event: E, payload: PayloadOf<Events, E>, timeoutMs = ACK_TIMEOUT_MS): Promise<Ack<AckDataOf<Events, E>>> {
    const s = this.socket;
    if (!s || !s.connected) return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'offline', retryable: true } });
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ ok: false, error: { code: 'unavailable', message: 'timeout', retryable: true } }), timeoutMs);
      // The answer's type is the event map's contract with the server, which types it the same way.
      const emitter: Emitter = s;
      emitter.emit(event, payload, (r: Ack<AckDataOf<Events, E>>) => {
        clearTimeout(timer);
        resolve(r);
      });
    });
  }

  /** Fetch the conversation and every message after the last one we have (exactly the rest, in order). */
  private async resync(): Promise<void> {
    const afterSeq = contiguousSeq(this.state.messages);
    const res = await this.emit('conversation:resume', { afterSeq });
    if (res.ok) {
      const c = res.data.conversation;
      const fresh = this.firstResume && isEnded(c);
      this.firstResume = false;
      if (c && fresh) storage.set(`seen:${c.id}`, null);
      if (c && !fresh && (!this.state.conversation || this.state.conversation.id === c.id)) {
        const messages = mergeMessages(this.state.messages, res.data.messages);
        this.set({ conversation: c, messages, outbox: pendingOnly(this.state.outbox, messages) });
      }
    } else if (res.error.code === 'unauthorized') {
      // The token was ended elsewhere (quick exit in another tab, expiry): start clean.
      this.forget();
    }
  }

  private async onConnect(): Promise<void> {
    this.set({ connection: 'online', error: null });
    if (storage.get('token')) await this.resync();
    this.firstResume = false;
    if (!this.state.conversation || isEnded(this.state.conversation)) void this.refreshStatus();
    this.markRead();
    void this.flush();
  }

  private onMessage(m: ChatMessage): void {
    const c = this.state.conversation;
    if (!c || m.conversationId !== c.id) return;
    // A gap: something was missed live (a reconnect, a partition between instances): fetch the rest.
    const gap = m.seq > contiguousSeq(this.state.messages) + 1;
    const messages = mergeMessages(this.state.messages, [m]);
    this.set({ messages, outbox: pendingOnly(this.state.outbox, messages), ...(m.sender === 'counsellor' ? { counsellorTyping: false } : {}) });
    this.markRead();
    if (gap) void this.resync();
  }

  /**
   * Highest seq the child has had on screen in this conversation; kept over a reload, so the collapsed
   * launcher counts only newer counsellor messages.
   */
  get seenSeq(): number {
    const c = this.state.conversation;
    return (c && Number(storage.get(`seen:${c.id}`))) || 0;
  }

  /** The panel shows the transcript: everything in it has been seen. */
  markSeen(): void {
    const c = this.state.conversation;
    const last = this.state.messages.at(-1);
    if (c && last && last.seq > this.seenSeq) storage.set(`seen:${c.id}`, String(last.seq));
  }

  /** Tell the counsellor what the child has seen (only while the chat is on screen). */
  markRead(): void {
    const c = this.state.conversation;
    const last = this.state.messages.at(-1);
    if (!c || !last || !this.socket?.connected || document.visibilityState !== 'visible' || storage.get('open') !== '1') return;
    if (last.sender === 'visitor') return;
    this.socket.emit('message:read', { conversationId: c.id, seq: last.seq });
  }

  async refreshStatus(): Promise<void> {
    const res = await this.emit('service:status', {});
    if (res.ok) this.set({ service: res.data });
  }

  async start(p: StartConversationPayload): Promise<boolean> {
    this.connect();
    const res = await this.emit('conversation:start', p);
    if (!res.ok) {
      this.set({ error: res.error.code });
      return false;
    }
    if (res.data.token) storage.set('token', res.data.token);
    const sameConversation = this.state.conversation?.id === res.data.conversation.id;
    this.set({
      conversation: res.data.conversation,
      messages: sameConversation ? this.state.messages : [],
      service: res.data.serviceOpen ? { open: true, reason: 'open' } : (this.state.service?.open === false ? this.state.service : { open: false, reason: 'no_counsellor_online' }),
      error: null,
    });
    if (!res.data.serviceOpen) void this.refreshStatus();
    // Events sent between the start and its ack (offer, "counsellor joined") were not ours yet.
    await this.resync();
    return true;
  }

  /** Queue a message (kept in sessionStorage) and send the queue in order. */
  send(body: string): void {
    const c = this.state.conversation;
    if (!c) return;
    const item: OutboxItem = { clientMsgId: newClientMsgId(), conversationId: c.id, body, createdAt: new Date().toISOString() };
    this.set({ outbox: [...this.state.outbox, item] });
    this.typing(false);
    void this.flush();
  }

  /** One at a time, oldest first: order is kept, and a resend is harmless (same clientMsgId). */
  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (;;) {
        const next = pendingOnly(this.state.outbox, this.state.messages).find((o) => !o.failed);
        if (!next || !this.socket?.connected) return;
        this.set({ sendingId: next.clientMsgId });
        const res = await this.emit('message:send', { conversationId: next.conversationId, clientMsgId: next.clientMsgId, body: next.body });
        if (res.ok) {
          const messages = next.conversationId === this.state.conversation?.id ? mergeMessages(this.state.messages, [res.data]) : this.state.messages;
          this.set({ messages, outbox: this.state.outbox.filter((o) => o.clientMsgId !== next.clientMsgId), sendingId: null });
        } else if (res.error.retryable || res.error.code === 'unavailable' || res.error.code === 'rate_limited') {
          this.set({ sendingId: null });
          if (this.socket?.connected) this.later(() => void this.flush(), 3000);
          return;
        } else {
          this.set({ outbox: this.state.outbox.map((o) => (o.clientMsgId === next.clientMsgId ? { ...o, failed: true } : o)), sendingId: null });
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Typing signal to the counsellor, throttled; stops by itself after a pause. */
  typing(active: boolean): void {
    const c = this.state.conversation;
    if (!c || !this.socket?.connected || isEnded(c)) return;
    clearTimeout(this.typingIdle);
    const now = Date.now();
    if (active) {
      if (now - this.typingSent > 3000) {
        this.typingSent = now;
        this.socket.volatile.emit('typing', { conversationId: c.id, typing: true });
      }
      this.typingIdle = setTimeout(() => this.typing(false), TYPING_IDLE_MS);
    } else if (this.typingSent) {
      this.typingSent = 0;
      this.socket.volatile.emit('typing', { conversationId: c.id, typing: false });
    }
  }

  async end(): Promise<void> {
    const c = this.state.conversation;
    if (!c) return;
    const res = await this.emit('conversation:end', { conversationId: c.id });
    if (res.ok) this.set({ conversation: res.data, counsellorTyping: false });
    else this.set({ error: res.error.code });
  }

  /** Back to the start screen after an ended chat (the token stays: same anonymous visitor). */
  reset(): void {
    this.dropSeen();
    this.set({ conversation: null, messages: [], outbox: [], sendingId: null, counsellorTyping: false, error: null });
    void this.refreshStatus();
  }

  private dropSeen(): void {
    const c = this.state.conversation;
    if (c) storage.set(`seen:${c.id}`, null);
  }

  /** Forget the session locally (the server ended it). */
  private forget(): void {
    this.dropSeen();
    storage.set('token', null);
    this.set({ conversation: null, messages: [], outbox: [], sendingId: null, counsellorTyping: false });
  }

  /**
   * Quick exit: wipe the device first (that must happen whatever else fails), then end the session
   * on the server if we can reach it within `waitMs` (the request is sent either way).
   */
  async quickExit(waitMs = 1000): Promise<void> {
    this.exiting = true;
    storage.wipe();
    const s = this.socket;
    if (s?.connected) await this.emit('session:exit', {}, waitMs);
    s?.disconnect();
    storage.wipe();
  }
}
