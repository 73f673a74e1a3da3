// Staff API of the hotline (analysts act; supervisors and admins read and approve police referrals),
// and the counsellors' escalation from a conversation.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { LANGUAGES, type HotlineAnalyst, type HotlineEscalationResult, type MemberHotline } from '@helpline/shared';
import { requireStaff, staffOf } from '../auth/guard.js';
import { parse } from '../http/validate.js';
import { AppError } from '../http/errors.js';
import { uuid } from '../conversations/schemas.js';
import {
  actionSchema,
  actionUpdateSchema,
  applyEarlierSchema,
  assessmentSchema,
  claimSchema,
  decisionSchema,
  escalationSchema,
  listQuerySchema,
  outcomeSchema,
  periodQuerySchema,
  statusChangeSchema,
} from './schemas.js';
import { MEMBER_HOTLINES } from './member-hotlines.js';
import { csvHeader, csvRows, exportCount, exportPages, exportRows, stats, statsCsv, toCsv } from './exports.js';
import { EXPORT_HEADERS } from '../exports-i18n/headers.js';
import { hotlinePublicRoutes } from './public.js';

const idParams = z.object({ id: uuid });
const urlParams = z.object({ id: uuid, urlId: uuid });
const actionParams = z.object({ actionId: uuid });
const exportQuery = z.object({ format: z.enum(['json', 'csv']).default('json'), lang: z.enum(LANGUAGES).optional() }).strict();

export async function hotlineRoutes(app: FastifyInstance): Promise<void> {
  await hotlinePublicRoutes(app);
  const readers = requireStaff('analyst', 'supervisor', 'admin');
  const analyst = requireStaff('analyst');
  const approver = requireStaff('supervisor', 'admin');
  const viewer = (req: Parameters<typeof staffOf>[0]) => {
    const s = staffOf(req);
    return { id: s.id, role: s.role };
  };

  app.get('/api/hotline/reports', { preHandler: readers }, async (req) => {
    const q = parse(listQuerySchema, req.query);
    return app.hotline.list(q);
  });
  app.get('/api/hotline/reports/:id', { preHandler: readers }, async (req) => {
    const { id } = parse(idParams, req.params);
    return app.hotline.read(id, viewer(req));
  });
  app.post('/api/hotline/reports/:id/status', { preHandler: analyst }, async (req) => {
    const { id } = parse(idParams, req.params);
    const { status } = parse(statusChangeSchema, req.body);
    return app.hotline.setStatus(id, viewer(req), status);
  });
  // An analyst takes the report before assessing it; a supervisor or admin hands it to an analyst.
  app.post('/api/hotline/reports/:id/claim', { preHandler: readers }, async (req) => {
    const { id } = parse(idParams, req.params);
    const { staffId } = parse(claimSchema, req.body ?? {});
    return app.hotline.claim(id, viewer(req), staffId);
  });
  // Whom a supervisor can hand a report to.
  app.get('/api/hotline/analysts', { preHandler: readers }, async (): Promise<HotlineAnalyst[]> =>
    (await app.auth.listUsers()).filter((u) => u.role === 'analyst' && !u.disabled).map((u) => ({ id: u.id, name: u.name })),
  );
  app.delete('/api/hotline/reports/:id/claim', { preHandler: readers }, async (req) => {
    const { id } = parse(idParams, req.params);
    return app.hotline.release(id, viewer(req));
  });
  app.put('/api/hotline/reports/:id/urls/:urlId/assessment', { preHandler: analyst }, async (req) => {
    const { id, urlId } = parse(urlParams, req.params);
    return app.hotline.assessUrl(id, urlId, viewer(req), parse(assessmentSchema, req.body));
  });
  app.post('/api/hotline/reports/:id/urls/:urlId/apply-earlier', { preHandler: analyst }, async (req) => {
    const { id, urlId } = parse(urlParams, req.params);
    const { fromUrlId } = parse(applyEarlierSchema, req.body);
    return app.hotline.applyEarlier(id, urlId, viewer(req), fromUrlId);
  });
  app.post('/api/hotline/reports/:id/urls/:urlId/resolve', { preHandler: analyst }, async (req) => {
    const { id, urlId } = parse(urlParams, req.params);
    return app.hotline.resolveUrlHost(id, urlId, viewer(req));
  });
  app.post('/api/hotline/reports/:id/actions', { preHandler: analyst }, async (req) => {
    const { id } = parse(idParams, req.params);
    return app.hotline.addAction(id, viewer(req), parse(actionSchema, req.body));
  });
  app.patch('/api/hotline/actions/:actionId', { preHandler: analyst }, async (req) => {
    const { actionId } = parse(actionParams, req.params);
    return app.hotline.updateAction(actionId, viewer(req), parse(actionUpdateSchema, req.body));
  });
  app.post('/api/hotline/actions/:actionId/decision', { preHandler: approver }, async (req) => {
    const { actionId } = parse(actionParams, req.params);
    const { approve } = parse(decisionSchema, req.body);
    return app.hotline.decideAction(actionId, viewer(req), approve);
  });
  app.post('/api/hotline/reports/:id/removal', { preHandler: analyst }, async (req) => {
    const { id } = parse(idParams, req.params);
    const { removedAt } = parse(outcomeSchema, req.body ?? {});
    return app.hotline.recordRemoval(id, viewer(req), removedAt);
  });
  app.get('/api/hotline/approvals', { preHandler: readers }, async () => {
    const open = await app.hotline.list({ status: 'open', limit: 500 });
    return open.filter((r) => r.pendingApproval);
  });
  app.get('/api/hotline/member-hotlines', { preHandler: readers }, async (): Promise<readonly MemberHotline[]> => MEMBER_HOTLINES);

  app.get('/api/hotline/reports/:id/export', { preHandler: readers }, async (req, reply) => {
    const { id } = parse(idParams, req.params);
    const { format, lang } = parse(exportQuery, req.query);
    const v = viewer(req);
    const rows = await exportRows(app.db, { reportId: id });
    if (!rows.length) throw new AppError('not_found', 'No such report');
    await app.audit.record({ actorType: 'staff', actorId: v.id, action: 'hotline.report.read', targetType: 'hotline_report', targetId: id, meta: { export: format } });
    return format === 'csv' ? reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${rows[0]!.reference}.csv"`).send(toCsv(rows, lang && EXPORT_HEADERS[lang].hotline)) : rows;
  });
  // Streamed a page of reports at a time (exportPages): a year or five of reports never sit in memory.
  app.get('/api/hotline/export', { preHandler: readers }, async (req, reply) => {
    const q = parse(periodQuerySchema, req.query);
    const period = { from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined };
    const v = viewer(req);
    const rows = await exportCount(app.db, period);
    await app.audit.record({ actorType: 'staff', actorId: v.id, action: 'hotline.export', targetType: 'hotline_report', targetId: null, meta: { format: q.format, rows, from: q.from ?? null, to: q.to ?? null } });
    const pages = exportPages(app.db, period);
    const headers = q.lang && EXPORT_HEADERS[q.lang].hotline;
    async function* body(): AsyncGenerator<string> {
      if (q.format === 'csv') {
        yield csvHeader(headers || undefined);
        for await (const page of pages) yield csvRows(page);
        return;
      }
      let first = true;
      yield '[';
      for await (const page of pages) {
        if (!page.length) continue;
        yield (first ? '' : ',') + page.map((r) => JSON.stringify(r)).join(',');
        first = false;
      }
      yield ']';
    }
    const stream = Readable.from(body());
    stream.on('error', (err) => req.log.error({ err: err.message }, 'hotline export failed while streaming'));
    return q.format === 'csv'
      ? reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="hotline-reports.csv"').send(stream)
      : reply.type('application/json; charset=utf-8').send(stream);
  });
  app.get('/api/hotline/stats', { preHandler: readers }, async (req, reply) => {
    const q = parse(periodQuerySchema, req.query);
    const s = await stats(app.db, { from: q.from ? new Date(q.from) : undefined, to: q.to ? new Date(q.to) : undefined });
    return q.format === 'csv' ? reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="hotline-statistics.csv"').send(statsCsv(s)) : s;
  });

  // A counsellor escalates URLs the child mentioned; only on a conversation assigned to them.
  app.post('/api/conversations/:id/hotline-report', { preHandler: requireStaff('counsellor', 'supervisor') }, async (req): Promise<HotlineEscalationResult> => {
    const { id } = parse(idParams, req.params);
    const input = parse(escalationSchema, req.body);
    const me = staffOf(req);
    const c = await app.conversations.get(id);
    if (me.role === 'counsellor' && c.assignedStaffId !== me.id) throw new AppError('forbidden', 'This conversation is not assigned to you');
    const created = await app.hotline.create(input, { source: 'counsellor', conversationId: id, staffId: me.id });
    return { id: created.id, reference: created.reference };
  });
}
