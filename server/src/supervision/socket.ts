// Supervisors' events on the /agent namespace (the connection was authenticated by
// routing/agent-socket.ts, which also put supervisors and admins in rooms.supervisors).
// Every handler checks the role itself: a counsellor's socket gets `forbidden` for all of them.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LANGUAGES, LIMITS, TOPICS, type StaffRole } from '@helpline/shared';
import { AppError } from '../http/errors.js';
import { socketHandler } from '../realtime/handler.js';
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

const BOARD_ROLES: readonly StaffRole[] = ['supervisor', 'admin'];
const HELPING_ROLES: readonly StaffRole[] = ['supervisor'];

export function registerSupervisionSocket(app: FastifyInstance): void {
  const sup = app.supervision;
  app.addHook('onReady', async () => sup.board.start());
  app.addHook('preClose', async () => sup.board.stop());
  app.realtime.agent.on('connection', (socket: AgentSocket) => {
    const staff = socket.data.staff;
    const log = app.log.child({ nsp: 'agent', staffId: staff.id });
    if (BOARD_ROLES.includes(staff.role)) void sup.board.supervisorPresent().catch(() => {});
    // The role is read from the session at connection; a role change revokes sessions (admin/staff.ts).
    const need = (roles: readonly StaffRole[]) => {
      if (!roles.includes(socket.data.staff.role)) throw new AppError('forbidden', 'Supervisors only');
    };
    const on = <S extends z.ZodType>(event: string, schema: S, roles: readonly StaffRole[], run: (p: z.output<S>) => Promise<unknown>) =>
      socket.on(
        event as never,
        socketHandler(log, event, schema, async (p) => {
          need(roles);
          return run(p);
        }) as never,
      );

    on('board:snapshot', emptySchema, BOARD_ROLES, () => sup.board.snapshot());
    // Transcripts are for supervisors only: admins see the board's figures, not what children wrote.
    on('supervise:watch', conversationRefSchema, HELPING_ROLES, (p) => sup.watch(staff, socket, p.conversationId));
    on('supervise:unwatch', conversationRefSchema, HELPING_ROLES, async (p) => {
      await sup.unwatch(socket, p.conversationId);
      return null;
    });
    on('supervise:whisper', whisperSchema, HELPING_ROLES, (p) => sup.whisper(staff, p.conversationId, p.body));
    on('supervise:join', conversationRefSchema, HELPING_ROLES, (p) => sup.join(staff, socket, p.conversationId));
    on('supervise:send', sendSchema, HELPING_ROLES, (p) => sup.send(staff, p, socket.id));
    on('supervise:takeover', conversationRefSchema, HELPING_ROLES, async (p) => {
      await sup.takeover(staff, p.conversationId);
      return null;
    });
    on('supervise:reassign', reassignSchema, HELPING_ROLES, async (p) => {
      await sup.reassign(staff, p.conversationId, p.staffId, p.note);
      return null;
    });
    on('supervise:agent', agentChangeSchema, HELPING_ROLES, (p) => sup.setAgent(staff, p.staffId, p));
    on('supervise:overflow', overflowSchema, HELPING_ROLES, async (p) => ({ count: await sup.overflowQueue(staff, p) }));
  });
}
