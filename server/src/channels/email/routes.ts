// HTTP of the e-mail channel: the admin's connection test, and what a counsellor sees of a thread:
// the address masked, revealed only to the conversation's counsellor or a supervisor, audited.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guard.js';
import { AppError } from '../../http/errors.js';
import { idParams } from '../schemas.js';
import { connectionTest, emailThreadView } from './schemas.js';

export async function emailRoutes(app: FastifyInstance): Promise<void> {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const { channels } = app;

  /** The counsellor it is assigned to, or a supervisor (the same relation as the conversation's other staff reads). */
  async function mayRead(req: FastifyRequest, conversationId: string): Promise<void> {
    const me = staffOf(req);
    const c = await app.conversations.get(conversationId).catch(() => null);
    if (!c || c.channel !== 'email') throw new AppError('not_found', 'No such e-mail conversation');
    if (me.role === 'counsellor' && c.assignedStaffId !== me.id) throw new AppError('forbidden', 'This conversation is not assigned to you');
  }

  r.post(
    '/api/admin/inboxes/:id/test-connection',
    { onRequest: requireStaff('admin'), schema: { tags: ['admin'], summary: 'Try the e-mail inbox\'s IMAP and SMTP servers and say what failed', params: idParams, response: { 200: connectionTest } } },
    async (req) => channels.email.test(req.params.id),
  );

  r.get(
    '/api/conversations/:id/email',
    { onRequest: requireStaff('counsellor', 'supervisor'), schema: { tags: ['staff'], params: idParams, response: { 200: emailThreadView } } },
    async (req) => {
      await mayRead(req, req.params.id);
      const view = await channels.email.thread(req.params.id);
      if (!view) throw new AppError('not_found', 'No e-mail in this conversation');
      return view;
    },
  );

  r.post(
    '/api/conversations/:id/email/reveal',
    { onRequest: requireStaff('counsellor', 'supervisor'), schema: { tags: ['staff'], params: idParams, response: { 200: z.object({ address: z.string() }) } } },
    async (req) => {
      await mayRead(req, req.params.id);
      const address = await channels.email.address(req.params.id);
      if (!address) throw new AppError('not_found', 'No e-mail in this conversation');
      await app.audit.record({ actorType: 'staff', actorId: staffOf(req).id, action: 'email.address_revealed', targetType: 'conversation', targetId: req.params.id });
      return { address };
    },
  );
}
