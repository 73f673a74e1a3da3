// `note:add` on the /agent namespace (the connection was authenticated by routing/agent-socket.ts).
import type { FastifyInstance } from 'fastify';
import { agentEvents, ALL_STAFF, none } from '../realtime/handler.js';
import type { AgentSocket } from '../realtime/server.js';
import { addNoteSchema } from './schemas.js';

export function registerNoteSocket(app: FastifyInstance): void {
  app.realtime.agent.on('connection', (socket: AgentSocket) => {
    const staff = socket.data.staff;
    const on = agentEvents(socket, app.log.child({ nsp: 'agent', staffId: staff.id }));
    // The relation (assigned counsellor, or a supervisor) is the notes service's own check, shared
    // with the HTTP route that lists them.
    on('note:add', { schema: addNoteSchema, roles: ALL_STAFF, relation: none, run: (p) => app.notes.add(staff, p.conversationId, p.body) });
  });
}
