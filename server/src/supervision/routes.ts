// HTTP side of supervision: the board (also available over the socket), statistics and their CSV,
// and the surge switch.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../auth/guard.js';
import { AppError } from '../http/errors.js';
import { parse } from '../http/validate.js';
import { LANGUAGES } from '@helpline/shared';
import { EXPORT_HEADERS } from '../exports-i18n/headers.js';
import { statsCsv, statsReport } from './stats.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/, 'a date (YYYY-MM-DD) or ISO time');
const periodQuery = z.object({ from: day.optional(), to: day.optional(), lang: z.enum(LANGUAGES).optional() }).strict();
const surgeBody = z.object({ leaveMessageOnly: z.boolean() }).strict();

/** Default: the last 30 days. A bare `to` date includes that whole day. */
function period(q: z.output<typeof periodQuery>): { from: Date; to: Date } {
  const to = q.to ? new Date(q.to.length === 10 ? Date.parse(q.to) + 86_400_000 : Date.parse(q.to)) : new Date();
  const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new AppError('invalid_payload', 'Invalid date');
  if (from >= to) throw new AppError('invalid_payload', '`from` must be before `to`');
  if (to.getTime() - from.getTime() > 3 * 366 * 86_400_000) throw new AppError('invalid_payload', 'At most three years at once');
  return { from, to };
}

export async function supervisionRoutes(app: FastifyInstance): Promise<void> {
  const supervisors = requireStaff('supervisor', 'admin');

  app.get('/api/supervision/board', { preHandler: supervisors }, async () => app.supervision.board.snapshot());

  app.get('/api/stats', { preHandler: supervisors }, async (req) => {
    const p = period(parse(periodQuery, req.query));
    return statsReport(app, p.from, p.to);
  });

  app.get('/api/stats.csv', { preHandler: supervisors }, async (req, reply) => {
    const q = parse(periodQuery, req.query);
    const p = period(q);
    const csv = statsCsv(await statsReport(app, p.from, p.to), q.lang ? EXPORT_HEADERS[q.lang].stats : undefined);
    await app.audit.record({ actorType: 'staff', actorId: staffOf(req).id, action: 'stats.export', targetType: 'stats', targetId: null, meta: { from: p.from.toISOString(), to: p.to.toISOString() } });
    const name = `helpline-stats-${p.from.toISOString().slice(0, 10)}-${p.to.toISOString().slice(0, 10)}.csv`;
    return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(csv);
  });

  app.get('/api/supervision/surge', { preHandler: supervisors }, async () => app.settings.get('surge'));
  app.put('/api/supervision/surge', { preHandler: supervisors }, async (req) => {
    const body = parse(surgeBody, req.body);
    return app.supervision.setSurge(staffOf(req), body.leaveMessageOnly);
  });
}
