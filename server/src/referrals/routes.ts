import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { INSTITUTION_KINDS } from '@helpline/shared';
import { requireStaff, staffOf } from '../auth/guard.js';
import { parse } from '../http/validate.js';
import { uuid } from '../conversations/schemas.js';
import type { InstitutionInput, ReferralRequest } from '@helpline/shared';
import type { Checked, SchemaAccepts } from '../http/validate.js';

const idParams = z.object({ id: uuid });
const institutionSchema = z
  .object({
    name: z.string().trim().min(1).max(200),
    kind: z.enum(INSTITUTION_KINDS),
    contact: z.string().trim().max(500).nullable().optional(),
    active: z.boolean().optional(),
  })
  .strict();
const referralSchema = z
  .object({ institutionId: uuid, conversationId: uuid.optional(), caseId: uuid.optional(), note: z.string().trim().max(2000).optional() })
  .strict();
const decisionSchema = z.object({ note: z.string().trim().max(2000).optional() }).strict();
const listQuery = z.object({ status: z.enum(['recorded', 'pending_approval', 'approved', 'rejected']).optional() });
const institutionsQuery = z.object({ all: z.enum(['0', '1']).optional() });

export async function referralRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/institutions', { preHandler: requireStaff('counsellor', 'supervisor', 'admin') }, async (req) => {
    const { all } = parse(institutionsQuery, req.query);
    return { institutions: await app.referrals.listInstitutions(all === '1' && staffOf(req).role === 'admin') };
  });
  app.post('/api/institutions', { preHandler: requireStaff('admin') }, async (req) => app.referrals.createInstitution(staffOf(req).id, parse(institutionSchema, req.body)));
  app.put('/api/institutions/:id', { preHandler: requireStaff('admin') }, async (req) => {
    const { id } = parse(idParams, req.params);
    return app.referrals.updateInstitution(staffOf(req).id, id, parse(institutionSchema, req.body));
  });

  app.post('/api/referrals', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => app.referrals.create(staffOf(req), parse(referralSchema, req.body)));
  app.get('/api/referrals', { preHandler: requireStaff('supervisor') }, async (req) => {
    const { status } = parse(listQuery, req.query);
    return { referrals: await app.referrals.list(status) };
  });
  app.get('/api/conversations/:id/referrals', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => {
    const { id } = parse(idParams, req.params);
    return { referrals: await app.referrals.forConversation(staffOf(req), id) };
  });
  app.post('/api/referrals/:id/approve', { preHandler: requireStaff('supervisor') }, async (req) => {
    const { id } = parse(idParams, req.params);
    return app.referrals.decide(staffOf(req), id, 'approved', parse(decisionSchema, req.body ?? {}).note);
  });
  app.post('/api/referrals/:id/reject', { preHandler: requireStaff('supervisor') }, async (req) => {
    const { id } = parse(idParams, req.params);
    return app.referrals.decide(staffOf(req), id, 'rejected', parse(decisionSchema, req.body ?? {}).note);
  });
}

// The request types of shared/ are the ones these schemas accept (checked by the compiler).
export type InstitutionInputChecked = Checked<SchemaAccepts<typeof institutionSchema, InstitutionInput>>;
export type ReferralRequestChecked = Checked<SchemaAccepts<typeof referralSchema, ReferralRequest>>;
