// The counsellor's live workspace: presence, offers, conversations with their messages and notes.
// Everything comes from the /agent socket; on every (re)connect the state is re-read with agent:hello
// and each conversation's history is fetched after the last seq we hold, so nothing is missed.
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AgentState, ChatMessage, MessageDelivery, Note, NotesResponse, Offer, StaffConversation, TransferTarget } from '@helpline/shared';
import { api } from '../api.js';
import { emitAck, type AgentSocket } from '../socket.js';
import { alertOffer } from './alerts.js';

export interface OutgoingMessage {
  clientMsgId: string;
  body: string;
  failed: boolean;
}

export interface ChatState {
  conv: StaffConversation;
  messages: ChatMessage[];
  unread: number;
  visitorTyping: boolean;
  notes: Note[];
  outgoing: OutgoingMessage[];
  /** On a channel other than web chat: each own message's way out (queued, sent, delivered, failed). */
  deliveries: Record<string, MessageDelivery>;
}

export interface WorkspaceState {
  connected: boolean;
  agent: AgentState | null;
  offers: Offer[];
  chats: Record<string, ChatState>;
  /** Conversation ids in the order they arrived. */
  order: string[];
  selectedId: string | null;
}

const initial: WorkspaceState = { connected: false, agent: null, offers: [], chats: {}, order: [], selectedId: null };

/**
 * Delivery states merged by message (live events and the history's snapshot in any order of arrival).
 * Attempts only grow: a late event of an earlier attempt does not undo a later one. Unchanged: the
 * same object.
 */
export function mergeDeliveries(have: Record<string, MessageDelivery>, incoming: MessageDelivery[]): Record<string, MessageDelivery> {
  let out = have;
  for (const d of incoming) {
    const had = out[d.messageId];
    if (had && (had.attempts > d.attempts || (had.attempts === d.attempts && had.state === d.state))) continue;
    out = { ...out, [d.messageId]: d };
  }
  return out;
}

/** Messages merged by id, in seq order (live ones and a history snapshot in any order of arrival). */
export function mergeMessages(have: ChatMessage[], add: ChatMessage[]): ChatMessage[] {
  if (!add.length) return have;
  const byId = new Map(have.map((m) => [m.id, m]));
  for (const m of add) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * The highest seq up to which this chat has every message (seqs are gapless from 1). A fetch continues
 * from here, not from the last message held: a message that was missed live (lost in a reconnect or in
 * a partition between instances) while later ones arrived is a hole the fetch must fill.
 */
export function contiguousSeq(messages: readonly ChatMessage[]): number {
  let upTo = 0;
  for (const m of messages) {
    if (m.seq === upTo + 1) upTo = m.seq;
    else if (m.seq > upTo + 1) break;
  }
  return upTo;
}
const lastSeq = (c: ChatState | undefined): number => contiguousSeq(c?.messages ?? []);

function newChat(conv: StaffConversation, messages: ChatMessage[] = []): ChatState {
  return { conv, messages, unread: 0, visitorTyping: false, notes: [], outgoing: [], deliveries: {} };
}

export function newClientMsgId(): string {
  return typeof crypto !== 'undefined' && 'randomUUID' in crypto ? crypto.randomUUID() : `m-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function useWorkspace(socket: AgentSocket) {
  const [state, setState] = useState<WorkspaceState>(initial);
  const ref = useRef(state);
  ref.current = state;
  // Messages of a conversation we do not hold yet (message:new can overtake the accept's ack).
  const early = useRef(new Map<string, ChatMessage[]>());

  const upsertChat = useCallback((conv: StaffConversation, messages: ChatMessage[] = [], deliveries: MessageDelivery[] = []) => {
    setState((s) => {
      const prev = s.chats[conv.id];
      const buffered = early.current.get(conv.id) ?? [];
      early.current.delete(conv.id);
      const all = [...messages, ...buffered];
      const base = prev ? { ...prev, conv, messages: mergeMessages(prev.messages, all) } : newChat(conv, mergeMessages([], all));
      const chat = { ...base, deliveries: mergeDeliveries(base.deliveries, deliveries) };
      const order = s.order.includes(conv.id) ? s.order : [...s.order, conv.id];
      return { ...s, chats: { ...s.chats, [conv.id]: chat }, order, selectedId: s.selectedId ?? conv.id };
    });
  }, []);

  const removeChat = useCallback((id: string) => {
    early.current.delete(id);
    setState((s) => {
      if (!s.chats[id]) return s;
      const chats = { ...s.chats };
      delete chats[id];
      const order = s.order.filter((x) => x !== id);
      return { ...s, chats, order, selectedId: s.selectedId === id ? (order[0] ?? null) : s.selectedId };
    });
  }, []);

  const loadNotes = useCallback(async (id: string) => {
    try {
      const res = await api.get<NotesResponse>(`/api/conversations/${id}/notes`);
      setState((s) => (s.chats[id] ? { ...s, chats: { ...s.chats, [id]: { ...s.chats[id]!, notes: res.notes } } } : s));
    } catch {
      /* notes stay empty; shown again on the next load */
    }
  }, []);

  const fetchHistory = useCallback(
    async (id: string) => {
      const ack = await emitAck(socket, 'conversation:history', { conversationId: id, afterSeq: lastSeq(ref.current.chats[id]) });
      if (ack.ok) upsertChat(ack.data.conversation, ack.data.messages, ack.data.deliveries);
    },
    [socket],
  );

  const hello = useCallback(async () => {
    const ack = await emitAck(socket, 'agent:hello', {});
    if (!ack.ok) return;
    const { state: agent, offers, conversations } = ack.data;
    setState((s) => {
      const keep = new Set(conversations.map((c) => c.id));
      const chats: Record<string, ChatState> = {};
      for (const c of conversations) chats[c.id] = s.chats[c.id] ? { ...s.chats[c.id]!, conv: c } : newChat(c);
      const order = [...s.order.filter((id) => keep.has(id)), ...conversations.map((c) => c.id).filter((id) => !s.order.includes(id))];
      const selectedId = s.selectedId && keep.has(s.selectedId) ? s.selectedId : (order[0] ?? null);
      return { ...s, agent, offers, chats, order, selectedId };
    });
    await Promise.all(conversations.map(async (c) => {
      await fetchHistory(c.id);
      await loadNotes(c.id);
    }));
  }, [socket]);

  useEffect(() => {
    const onConnect = () => {
      setState((s) => ({ ...s, connected: true }));
      void hello();
    };
    const onDisconnect = () => setState((s) => ({ ...s, connected: false }));
    const onAgentState = (agent: AgentState) => setState((s) => (s.agent && agent.staffId !== s.agent.staffId ? s : { ...s, agent }));
    const onOffer = (o: Offer) => {
      setState((s) => ({ ...s, offers: [...s.offers.filter((x) => x.offerId !== o.offerId), o] }));
      alertOffer(o);
    };
    const onRevoked = (p: { offerId: string }) => setState((s) => ({ ...s, offers: s.offers.filter((o) => o.offerId !== p.offerId) }));
    const onAssigned = (c: StaffConversation) => {
      upsertChat(c);
      void fetchHistory(c.id);
      void loadNotes(c.id);
    };
    const onUpdated = (c: StaffConversation) => {
      if (c.state === 'closed' || c.state === 'abandoned') return removeChat(c.id);
      setState((s) => (s.chats[c.id] ? { ...s, chats: { ...s.chats, [c.id]: { ...s.chats[c.id]!, conv: c, visitorTyping: c.state === 'active' && s.chats[c.id]!.visitorTyping } } } : s));
    };
    const onRemoved = (p: { conversationId: string }) => removeChat(p.conversationId);
    const onMessage = (m: ChatMessage) => {
      setState((s) => {
        const chat = s.chats[m.conversationId];
        if (!chat) {
          early.current.set(m.conversationId, [...(early.current.get(m.conversationId) ?? []), m]);
          return s;
        }
        // A gap means we missed something (e.g. during a reconnect): fetch the rest in order.
        if (m.seq > lastSeq(chat) + 1) queueMicrotask(() => void fetchHistory(m.conversationId));
        const seen = s.selectedId === m.conversationId && document.visibilityState === 'visible';
        const isNew = !chat.messages.some((x) => x.id === m.id);
        const unread = chat.unread + (isNew && m.sender === 'visitor' && !seen ? 1 : 0);
        const outgoing = chat.outgoing.filter((o) => o.clientMsgId !== m.clientMsgId);
        return { ...s, chats: { ...s.chats, [m.conversationId]: { ...chat, messages: mergeMessages(chat.messages, [m]), unread, outgoing, visitorTyping: m.sender === 'visitor' ? false : chat.visitorTyping } } };
      });
    };
    const onTyping = (p: { conversationId: string; typing: boolean }) =>
      setState((s) => (s.chats[p.conversationId] ? { ...s, chats: { ...s.chats, [p.conversationId]: { ...s.chats[p.conversationId]!, visitorTyping: p.typing } } } : s));
    const onRead = (p: { conversationId: string; seq: number }) =>
      setState((s) => {
        const chat = s.chats[p.conversationId];
        if (!chat || chat.conv.visitorReadSeq >= p.seq) return s;
        return { ...s, chats: { ...s.chats, [p.conversationId]: { ...chat, conv: { ...chat.conv, visitorReadSeq: p.seq } } } };
      });
    const onDelivery = (d: MessageDelivery) =>
      setState((s) => {
        const chat = s.chats[d.conversationId];
        if (!chat) return s;
        const deliveries = mergeDeliveries(chat.deliveries, [d]);
        return deliveries === chat.deliveries ? s : { ...s, chats: { ...s.chats, [d.conversationId]: { ...chat, deliveries } } };
      });
    const onNote = (n: Note) =>
      setState((s) => {
        const chat = s.chats[n.conversationId];
        if (!chat || chat.notes.some((x) => x.id === n.id)) return s;
        return { ...s, chats: { ...s.chats, [n.conversationId]: { ...chat, notes: [...chat.notes, n] } } };
      });

    // Back to the tab: what is on screen counts as read.
    const onVisible = () => {
      if (document.visibilityState !== 'visible') return;
      setState((s) => (s.selectedId && s.chats[s.selectedId]?.unread ? { ...s, chats: { ...s.chats, [s.selectedId]: { ...s.chats[s.selectedId]!, unread: 0 } } } : s));
    };
    document.addEventListener('visibilitychange', onVisible);
    socket.on('connect', onConnect);
    socket.on('disconnect', onDisconnect);
    socket.on('agent:state', onAgentState);
    socket.on('offer:new', onOffer);
    socket.on('offer:revoked', onRevoked);
    socket.on('conversation:assigned', onAssigned);
    socket.on('conversation:updated', onUpdated);
    socket.on('conversation:removed', onRemoved);
    socket.on('message:new', onMessage);
    socket.on('typing', onTyping);
    socket.on('message:read', onRead);
    socket.on('note:new', onNote);
    socket.on('message:delivery', onDelivery);
    if (socket.connected) onConnect();
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      socket.off('connect', onConnect);
      socket.off('disconnect', onDisconnect);
      socket.off('agent:state', onAgentState);
      socket.off('offer:new', onOffer);
      socket.off('offer:revoked', onRevoked);
      socket.off('conversation:assigned', onAssigned);
      socket.off('conversation:updated', onUpdated);
      socket.off('conversation:removed', onRemoved);
      socket.off('message:new', onMessage);
      socket.off('typing', onTyping);
      socket.off('message:read', onRead);
      socket.off('note:new', onNote);
      socket.off('message:delivery', onDelivery);
    };
  }, [socket]);

  const actions = useMemo(
    () => ({
      select(id: string) {
        setState((s) => (s.chats[id] ? { ...s, selectedId: id, chats: { ...s.chats, [id]: { ...s.chats[id]!, unread: 0 } } } : s));
      },
      async setStatus(status: 'available' | 'away') {
        const ack = await emitAck(socket, 'agent:status', { status });
        if (ack.ok) setState((s) => ({ ...s, agent: ack.data }));
        return ack;
      },
      async accept(offerId: string) {
        const ack = await emitAck(socket, 'offer:accept', { offerId });
        setState((s) => ({ ...s, offers: s.offers.filter((o) => o.offerId !== offerId) }));
        if (ack.ok) {
          upsertChat(ack.data.conversation, ack.data.messages, ack.data.deliveries);
          // On screen from now: what arrived before the acknowledgement (the assignment comes first) is read.
          const id = ack.data.conversation.id;
          setState((s) => ({ ...s, selectedId: id, chats: s.chats[id] ? { ...s.chats, [id]: { ...s.chats[id]!, unread: 0 } } : s.chats }));
          void loadNotes(ack.data.conversation.id);
        }
        return ack;
      },
      async decline(offerId: string) {
        const ack = await emitAck(socket, 'offer:decline', { offerId });
        setState((s) => ({ ...s, offers: s.offers.filter((o) => o.offerId !== offerId) }));
        return ack;
      },
      async send(conversationId: string, body: string, clientMsgId = newClientMsgId()) {
        setState((s) => {
          const chat = s.chats[conversationId];
          if (!chat) return s;
          const outgoing = [...chat.outgoing.filter((o) => o.clientMsgId !== clientMsgId), { clientMsgId, body, failed: false }];
          return { ...s, chats: { ...s.chats, [conversationId]: { ...chat, outgoing } } };
        });
        const ack = await emitAck(socket, 'message:send', { conversationId, clientMsgId, body });
        setState((s) => {
          const chat = s.chats[conversationId];
          if (!chat) return s;
          const outgoing = ack.ok ? chat.outgoing.filter((o) => o.clientMsgId !== clientMsgId) : chat.outgoing.map((o) => (o.clientMsgId === clientMsgId ? { ...o, failed: true } : o));
          const messages = ack.ok ? mergeMessages(chat.messages, [ack.data]) : chat.messages;
          return { ...s, chats: { ...s.chats, [conversationId]: { ...chat, outgoing, messages } } };
        });
        return ack;
      },
      typing(conversationId: string, typing: boolean) {
        socket.emit('typing', { conversationId, typing });
      },
      markRead(conversationId: string, seq: number) {
        socket.emit('message:read', { conversationId, seq });
      },
      addNote: (conversationId: string, body: string) => emitAck(socket, 'note:add', { conversationId, body }),
      end: (conversationId: string) => emitAck(socket, 'conversation:end', { conversationId }),
      help: (conversationId: string) => emitAck(socket, 'conversation:help', { conversationId }),
      transfer: (conversationId: string, to: TransferTarget, note: string) => emitAck(socket, 'conversation:transfer', { conversationId, to, note }),
      removeChat,
      fetchHistory,
    }),
    [socket],
  );

  return { state, actions };
}
export type WorkspaceActions = ReturnType<typeof useWorkspace>['actions'];
