import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Note, NotesResponse } from '@helpline/shared';
import { requireStaff, staffOf } from '../auth/guard.js';
import { parse } from '../http/validate.js';
import { uuid } from '../conversations/schemas.js';
import { addNoteSchema } from './schemas.js';

const idParams = z.object({ id: uuid });

export async function noteRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/conversations/:id/notes', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => {
    const { id } = parse(idParams, req.params);
    const res: NotesResponse = { notes: await app.notes.list(staffOf(req), id) };
    return res;
  });
  app.post('/api/conversations/:id/notes', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => {
    const { id } = parse(idParams, req.params);
    const { body } = parse(addNoteSchema, { conversationId: id, body: (req.body as { body?: unknown } | null)?.body });
    const note: Note = await app.notes.add(staffOf(req), id, body);
    return note;
  });
}
