import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LANGUAGES, LIMITS } from '@helpline/shared';
import { requireStaff, staffOf } from '../auth/guard.js';
import { parse } from '../http/validate.js';
import { uuid } from '../conversations/schemas.js';
import type { CannedResponseInput } from '@helpline/shared';
import type { Checked, SchemaAccepts } from '../http/validate.js';

const idParams = z.object({ id: uuid });
const listQuery = z.object({ language: z.enum(LANGUAGES) });
const cannedSchema = z
  .object({
    language: z.enum(LANGUAGES),
    shortcut: z
      .string()
      .trim()
      .min(1)
      .max(32)
      .regex(/^[\p{L}\p{N}_-]+$/u, 'letters, digits, - and _ only'),
    title: z.string().trim().min(1).max(120),
    body: z.string().trim().min(1).max(LIMITS.messageMaxChars),
  })
  .strict();

export async function cannedRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/canned', { preHandler: requireStaff('counsellor', 'supervisor', 'admin') }, async (req) => {
    const { language } = parse(listQuery, req.query);
    return { responses: await app.canned.list(language) };
  });
  app.post('/api/canned', { preHandler: requireStaff('admin') }, async (req) => app.canned.create(staffOf(req).id, parse(cannedSchema, req.body)));
  app.put('/api/canned/:id', { preHandler: requireStaff('admin') }, async (req) => {
    const { id } = parse(idParams, req.params);
    return app.canned.update(staffOf(req).id, id, parse(cannedSchema, req.body));
  });
  app.delete('/api/canned/:id', { preHandler: requireStaff('admin') }, async (req) => {
    const { id } = parse(idParams, req.params);
    await app.canned.remove(staffOf(req).id, id);
    return { ok: true };
  });
}

// The request types of shared/ are the ones these schemas accept (checked by the compiler).
export type CannedResponseInputChecked = Checked<SchemaAccepts<typeof cannedSchema, CannedResponseInput>>;
