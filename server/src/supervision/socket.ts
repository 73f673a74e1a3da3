// Supervisors' events on the /agent namespace (the connection was authenticated by
// routing/agent-socket.ts, which also put supervisors and admins in rooms.supervisors).
// Every event names its roles: a counsellor's socket gets `forbidden` for all of them.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LANGUAGES, LIMITS, TOPICS } from '@helpline/shared';
import { agentEvents, BOARD_ROLES, none, SUPERVISOR_ROLES } from '../realtime/handler.js';
import type { AgentSocket } from '../realtime/server.js';
import { conversationRefSchema, emptySchema, sendSchema, uuid } from '../conversations/schemas.js';

const noteBody = z
  .string()
  .max(LIMITS.noteMaxChars)
  .transform((s) => s.trim())
  .pipe(z.string().min(1, 'empty note'));

export const whisperSchema = z.object({ conversationId: uuid, body: noteBody }).strict();
export const reassignSchema = z.object({ conversationId: uuid, staffId: uuid, note: z.string().max(LIMITS.noteMaxChars).default('') }).strict();
export const agentChangeSchema = z
  .object({ staffId: uuid, status: z.enum(['available', 'away', 'offline']).optional(), capacity: z.number().int().min(1).max(20).optional() })
  .strict()
  .refine((p) => p.status !== undefined || p.capacity !== undefined, 'status or capacity');
export const overflowSchema = z.object({ language: z.enum(LANGUAGES).optional(), topic: z.enum(TOPICS).optional() }).strict();


export function registerSupervisionSocket(app: FastifyInstance): void {
  const sup = app.supervision;
  app.addHook('onReady', async () => sup.board.start());
  app.addHook('preClose', async () => sup.board.stop());
  app.realtime.agent.on('connection', (socket: AgentSocket) => {
    const staff = socket.data.staff;
    const log = app.log.child({ nsp: 'agent', staffId: staff.id });
    if (BOARD_ROLES.includes(staff.role)) void sup.board.supervisorPresent().catch(() => {});
    const on = agentEvents(socket, log);
    // The relations (a live conversation to watch, join or take over) are checked by the supervision
    // service under its own compare-and-set.
    on('board:snapshot', { schema: emptySchema, roles: BOARD_ROLES, relation: none, run: () => sup.board.snapshot(Date.now()) });
    // Transcripts are for supervisors only: admins see the board's figures, not what children wrote.
    on('supervise:watch', { schema: conversationRefSchema, roles: SUPERVISOR_ROLES, relation: none, run: (p) => sup.watch(staff, socket, p.conversationId) });
    on('supervise:unwatch', {
      schema: conversationRefSchema,
      roles: SUPERVISOR_ROLES,
      relation: none,
      run: async (p) => {
        await sup.unwatch(socket, p.conversationId);
        return null;
      },
    });
    on('supervise:whisper', { schema: whisperSchema, roles: SUPERVISOR_ROLES, relation: none, run: (p) => sup.whisper(staff, p.conversationId, p.body) });
    on('supervise:join', { schema: conversationRefSchema, roles: SUPERVISOR_ROLES, relation: none, run: (p) => sup.join(staff, socket, p.conversationId) });
    on('supervise:send', { schema: sendSchema, roles: SUPERVISOR_ROLES, relation: none, run: (p) => sup.send(staff, p, socket.id) });
    on('supervise:takeover', {
      schema: conversationRefSchema,
      roles: SUPERVISOR_ROLES,
      relation: none,
      run: async (p) => {
        await sup.takeover(staff, p.conversationId);
        return null;
      },
    });
    on('supervise:reassign', {
      schema: reassignSchema,
      roles: SUPERVISOR_ROLES,
      relation: none,
      run: async (p) => {
        await sup.reassign(staff, p.conversationId, p.staffId, p.note);
        return null;
      },
    });
    on('supervise:agent', { schema: agentChangeSchema, roles: SUPERVISOR_ROLES, relation: none, run: (p) => sup.setAgent(staff, p.staffId, p) });
    on('supervise:overflow', {
      schema: overflowSchema,
      roles: SUPERVISOR_ROLES,
      relation: none,
      run: async (p) => ({ count: await sup.overflowQueue(staff, p) }),
    });
  });
}
