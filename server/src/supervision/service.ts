// Helping hands: what a supervisor does to a conversation or a counsellor. Every action goes through the
// public methods of routing and conversations (which keep their compare-and-set transitions), is
// recorded in the audit log, and touches the board.
import type { FastifyInstance } from 'fastify';
import type { AgentState, ChatMessage, Language, Note, StaffProfile, Topic, WatchResult } from '@helpline/shared';
import { AppError } from '../http/errors.js';
import { rooms, type AgentSocket } from '../realtime/server.js';
import { liveOfferFor } from '../routing/board-queries.js';
import { createBoard } from './board.js';

type Supervisor = Pick<StaffProfile, 'id' | 'name' | 'role'>;

export function createSupervisionService(app: FastifyInstance) {
  const board = createBoard(app);
  const audit = (actor: Supervisor, action: string, targetType: string, targetId: string, meta?: Record<string, string | number | boolean | null>) =>
    app.audit.record({ actorType: 'staff', actorId: actor.id, action, targetType, targetId, ...(meta ? { meta } : {}) });

  const notesOf = (conversationId: string): Promise<Note[]> => app.notes.read(conversationId);

  /** Whether this supervisor joined the conversation (persisted in the audit log, so any instance knows). */
  async function hasJoined(sup: Supervisor, conversationId: string): Promise<boolean> {
    const rows = await app.audit.search({ targetType: 'conversation', targetId: conversationId, actorId: sup.id, action: 'supervision.join', limit: 1 });
    return rows.length > 0;
  }

  const service = {
    board,
    touch: () => board.touch(),

    /** Read-only view: the socket joins the watch room; nobody in the conversation is told. */
    async watch(sup: Supervisor, socket: AgentSocket | null, conversationId: string): Promise<WatchResult> {
      const c = await app.conversations.get(conversationId);
      if (socket) await socket.join(rooms.watch(c.id));
      await audit(sup, 'transcript.watch', 'conversation', c.id);
      return { conversation: await app.conversations.staffView(c), messages: await app.conversations.history(c.id, 0), notes: await notesOf(c.id) };
    },

    async unwatch(socket: AgentSocket, conversationId: string): Promise<void> {
      await socket.leave(rooms.watch(conversationId));
    },

    /** A note to the counsellor only: stored with the conversation's notes, never shown to the child. */
    async whisper(sup: Supervisor, conversationId: string, body: string): Promise<Note> {
      const c = await app.conversations.get(conversationId);
      const note = await app.notes.whisper(sup, c, body);
      await audit(sup, 'supervision.whisper', 'conversation', c.id, { noteId: note.id });
      return note;
    },

    /** Join the chat openly: the child is told, then the supervisor may write to it. */
    async join(sup: Supervisor, socket: AgentSocket | null, conversationId: string): Promise<ChatMessage> {
      const c = await app.conversations.get(conversationId);
      if (c.state !== 'active') throw new AppError('invalid_state', `The conversation is ${c.state}`);
      if (socket) await socket.join(rooms.watch(c.id));
      await audit(sup, 'supervision.join', 'conversation', c.id);
      return app.conversations.postSystem(c.id, 'supervisor_joined', { name: sup.name });
    },

    async send(sup: Supervisor, input: { conversationId: string; clientMsgId: string; body: string }, socketId?: string): Promise<ChatMessage> {
      if (!(await hasJoined(sup, input.conversationId))) throw new AppError('invalid_state', 'Join the conversation first');
      return app.conversations.send({ type: 'staff', staffId: sup.id, name: sup.name, supervisor: true }, input, socketId ? { socketId } : undefined);
    },

    /** The supervisor becomes the conversation's counsellor (announced to the child as a change). */
    async takeover(sup: Supervisor, conversationId: string): Promise<void> {
      const c = await app.conversations.get(conversationId);
      if (c.assignedStaffId === sup.id && c.state === 'active') return;
      // A supervisor who never set a status is 'offline' to routing and could not be offered it; 'away'
      // makes them reachable for this conversation without drawing new offers from the queue.
      if ((await app.router.agentState(sup.id)).status === 'offline') await app.router.setStatus(sup.id, 'away', { staffId: sup.id });
      if (c.state === 'active') {
        await app.router.transfer(sup.id, c.id, { type: 'staff', staffId: sup.id }, 'Taken over by a supervisor', { supervisor: true });
      } else if (c.state === 'waiting') {
        await app.router.assignByHand(sup.id, c.id, sup.id);
      } else throw new AppError('invalid_state', `The conversation is ${c.state}`);
      const offer = await liveOfferFor(app.db, c.id, sup.id);
      // With AUTO_ACCEPT the offer may already be accepted.
      if (offer) await app.router.accept(sup.id, offer).catch((err: unknown) => {
        if (!(err instanceof AppError && err.code === 'invalid_state')) throw err;
      });
      await audit(sup, 'supervision.takeover', 'conversation', c.id);
      await board.touch();
    },

    /** To another counsellor: an active chat is transferred, a waiting one offered to them now. */
    async reassign(sup: Supervisor, conversationId: string, staffId: string, note: string): Promise<void> {
      const c = await app.conversations.get(conversationId);
      if (c.state === 'active') {
        await app.router.transfer(sup.id, c.id, { type: 'staff', staffId }, note, { supervisor: true });
      } else if (c.state === 'waiting') {
        await app.router.assignByHand(sup.id, c.id, staffId);
      } else throw new AppError('invalid_state', `The conversation is ${c.state}`);
      await audit(sup, 'supervision.reassign', 'conversation', c.id, { staffId });
      await board.touch();
    },

    async setAgent(sup: Supervisor, staffId: string, change: { status?: 'available' | 'away' | 'offline'; capacity?: number }): Promise<AgentState> {
      const target = await app.auth.getStaff(staffId);
      if (!target || target.disabledAt) throw new AppError('not_found', 'No such counsellor');
      if (target.role !== 'counsellor' && target.role !== 'supervisor') throw new AppError('invalid_payload', 'Only counsellors and supervisors take chats');
      let state: AgentState | null = null;
      if (change.capacity !== undefined) state = await app.router.setCapacity(staffId, change.capacity, sup.id);
      if (change.status !== undefined) state = await app.router.setStatus(staffId, change.status, { staffId: sup.id });
      await board.touch();
      return state ?? app.router.agentState(staffId);
    },

    /** Let any counsellor take the waiting conversations of a language and/or topic. */
    async overflowQueue(sup: Supervisor, filter: { language?: Language; topic?: Topic }): Promise<number> {
      const ids = await app.conversations.queue.waitingIn(filter);
      for (const id of ids) await app.router.overflow(id);
      await audit(sup, 'supervision.overflow', 'queue', `${filter.language ?? '*'}/${filter.topic ?? '*'}`, { count: ids.length });
      await board.touch();
      return ids.length;
    },

    async setSurge(sup: Supervisor, leaveMessageOnly: boolean): Promise<{ leaveMessageOnly: boolean }> {
      const v = await app.settings.set('surge', { leaveMessageOnly });
      await audit(sup, 'settings.update', 'settings', 'surge', { leaveMessageOnly });
      await board.touch();
      return v;
    },

  };
  return service;
}
export type SupervisionService = ReturnType<typeof createSupervisionService>;
