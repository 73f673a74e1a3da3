import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { CloseConversationResponse } from '@helpline/shared';
import { requireStaff, staffOf } from '../auth/guard.js';
import { parse } from '../http/validate.js';
import { uuid } from '../conversations/schemas.js';
import { caseRecordSchema } from './schemas.js';

const idParams = z.object({ id: uuid });

export async function caseRoutes(app: FastifyInstance): Promise<void> {
  app.post('/api/conversations/:id/close', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => {
    const { id } = parse(idParams, req.params);
    const input = parse(caseRecordSchema, req.body);
    const res: CloseConversationResponse = await app.cases.closeConversation(staffOf(req).id, id, input);
    return res;
  });
}
