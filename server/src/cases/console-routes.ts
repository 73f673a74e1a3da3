// Console additions to cases: contacts logged by hand from other channels, return codes, case reads.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CHANNELS, INSAFE_CATEGORIES, type CaseDetailResponse, type CaseRecord, type CaseSearchResponse, type CaseUpdateRequest, type FollowUpsResponse, type ReturnCodeLookupResponse, type ReturnCodeResponse } from '@helpline/shared';
import { requireStaff, staffOf } from '../auth/guard.js';
import { AppError } from '../http/errors.js';
import { parse } from '../http/validate.js';
import { uuid } from '../conversations/schemas.js';
import { caseRecordSchema } from './schemas.js';
import { searchCases } from './search.js';
import type { ManualContactRequest } from '@helpline/shared';
import type { Checked, SchemaAccepts } from '../http/validate.js';

const idParams = z.object({ id: uuid });
const manualChannels = CHANNELS.filter((c): c is Exclude<(typeof CHANNELS)[number], 'chat'> => c !== 'chat');
const contactSchema = caseRecordSchema.extend({ channel: z.enum(manualChannels as [typeof manualChannels[number], ...typeof manualChannels]) });
const lookupSchema = z.object({ code: z.string().trim().min(4).max(32) }).strict();
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date (YYYY-MM-DD)');
const searchQuery = z
  .object({
    q: z.string().trim().min(2).max(100).optional(),
    category: z.enum(INSAFE_CATEGORIES).optional(),
    from: day.optional(),
    to: day.optional(),
    mine: z.enum(['true', 'false']).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

const followUpDay = day.refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'a real date');
const updateSchema = z.object({ record: caseRecordSchema, followUpOn: followUpDay.nullable() }).strict();

export async function caseConsoleRoutes(app: FastifyInstance): Promise<void> {
  /** The caller's own follow-ups due today or earlier (the navigation's count). */
  app.get('/api/cases/follow-ups', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => {
    const res: FollowUpsResponse = await app.caseRecords.dueFollowUps(staffOf(req));
    return res;
  });

  /** A saved record with its history (own, or any for supervisors); audited. */
  app.get('/api/cases/:id', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => {
    const { id } = parse(idParams, req.params);
    const res: CaseDetailResponse = await app.caseRecords.read(staffOf(req), id);
    return res;
  });

  /** Completes or corrects a saved record (own, or any for supervisors); audited with the fields changed. */
  app.put('/api/cases/:id', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => {
    const { id } = parse(idParams, req.params);
    const body = parse(updateSchema, req.body);
    const res: CaseDetailResponse = await app.caseRecords.update(staffOf(req), id, body.record, body.followUpOn);
    return res;
  });

  app.post('/api/cases/:id/follow-up/done', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => {
    const { id } = parse(idParams, req.params);
    const res: CaseRecord = await app.caseRecords.followUpDone(staffOf(req), id);
    return res;
  });

  app.post('/api/contacts', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req, reply) => {
    const { channel, ...input } = parse(contactSchema, req.body);
    const record: CaseRecord = await app.cases.logContact(staffOf(req).id, channel, input);
    return reply.code(201).send(record);
  });

  app.post('/api/conversations/:id/return-code', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => {
    const { id } = parse(idParams, req.params);
    const res: ReturnCodeResponse = await app.returnCodes.generate(staffOf(req), id);
    return res;
  });

  /** Case search; a counsellor sees only her own records. Audited with the filters used, not their words. */
  app.get('/api/cases', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => {
    const q = parse(searchQuery, req.query);
    const staff = staffOf(req);
    const from = q.from ? new Date(`${q.from}T00:00:00Z`) : undefined;
    // A `to` date includes that whole day.
    const to = q.to ? new Date(Date.parse(`${q.to}T00:00:00Z`) + 86_400_000) : undefined;
    if (from && to && from >= to) throw new AppError('invalid_payload', '`from` must not be after `to`');
    const own = staff.role === 'counsellor' || q.mine === 'true';
    const cases = await searchCases(app.db, { ...(own ? { staffId: staff.id } : {}), ...(q.q ? { q: q.q } : {}), ...(q.category ? { category: q.category } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}), limit: q.limit });
    const filters = Object.keys(q).filter((k) => k !== 'limit').sort().join(',');
    await app.audit.record({ actorType: 'staff', actorId: staff.id, action: 'case.search', targetType: 'case', targetId: null, meta: { filters, own, found: cases.length } });
    const res: CaseSearchResponse = { cases };
    return res;
  });

  app.post('/api/cases/by-return-code', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => {
    const { code } = parse(lookupSchema, req.body);
    const res: ReturnCodeLookupResponse = { cases: await app.returnCodes.lookup(staffOf(req), code) };
    return res;
  });

  /** The case record of a conversation (own, or any for supervisors; admins read no case); every read is audited. */
  app.get('/api/conversations/:id/case', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req) => {
    const { id } = parse(idParams, req.params);
    const staff = staffOf(req);
    const record = await app.cases.forConversation(id);
    if (!record) throw new AppError('not_found', 'No case record yet');
    if (staff.role === 'counsellor' && record.staffId !== staff.id) throw new AppError('forbidden', 'Not your case');
    await app.audit.record({ actorType: 'staff', actorId: staff.id, action: 'case.read', targetType: 'case', targetId: record.id });
    return { caseRecord: record, referrals: await app.referrals.forCase(record) };
  });
}

// The request types of shared/ are the ones these schemas accept (checked by the compiler).
export type CaseUpdateRequestChecked = Checked<SchemaAccepts<typeof updateSchema, CaseUpdateRequest>>;
export type ManualContactRequestChecked = Checked<SchemaAccepts<typeof contactSchema, ManualContactRequest>>;
