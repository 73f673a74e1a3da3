// `note:add` on the /agent namespace (the connection was authenticated by routing/agent-socket.ts).
import type { FastifyInstance } from 'fastify';
import { socketHandler } from '../realtime/handler.js';
import type { AgentSocket } from '../realtime/server.js';
import { addNoteSchema } from './schemas.js';

export function registerNoteSocket(app: FastifyInstance): void {
  app.realtime.agent.on('connection', (socket: AgentSocket) => {
    const staff = socket.data.staff;
    const log = app.log.child({ nsp: 'agent', staffId: staff.id });
    socket.on('note:add', socketHandler(log, 'note:add', addNoteSchema, async (p) => app.notes.add(staff, p.conversationId, p.body)) as never);
  });
}
