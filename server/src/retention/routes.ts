// HTTP and job wiring of retention: the daily purge (a BullMQ repeatable job with a fixed key, so every
// instance scheduling it yields one schedule), erasure of a child's data for supervisors and admins,
// a manual purge for admins, and the audit log search for supervisors and admins.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../auth/guard.js';
import { AppError } from '../http/errors.js';
import { parse } from '../http/validate.js';
import { uuid } from '../conversations/schemas.js';

const eraseSchema = z.union([
  z.object({ returnCode: z.string().trim().min(4).max(40) }).strict(),
  z.object({ visitorId: uuid }).strict(),
]);

const auditQuery = z
  .object({
    action: z.string().max(100).optional(),
    targetType: z.string().max(50).optional(),
    targetId: z.string().max(100).optional(),
    actorId: uuid.optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

export const PURGE_JOB = 'retention-purge';

export function registerRetentionJobs(app: FastifyInstance): void {
  app.jobs.define('timers', PURGE_JOB, async () => {
    await app.retention.purge();
  });
  app.addHook('onReady', async () => {
    await app.jobs
      .add('timers', PURGE_JOB, {}, { repeat: { pattern: app.config.RETENTION_PURGE_CRON, tz: 'UTC' }, jobId: PURGE_JOB })
      .catch((err: unknown) => app.log.warn({ err: (err as Error).message }, 'could not schedule the retention purge'));
  });
}

export async function retentionRoutes(app: FastifyInstance): Promise<void> {
  app.post('/api/privacy/erase', { preHandler: requireStaff('supervisor', 'admin') }, async (req) => {
    const body = parse(eraseSchema, req.body);
    const visitorId = 'visitorId' in body ? body.visitorId : await app.returnCodes.visitorByCode(body.returnCode);
    if (!visitorId) throw new AppError('not_found', 'Unknown return code');
    return { erased: await app.retention.eraseVisitor(visitorId, { staffId: staffOf(req).id }) };
  });

  app.post('/api/retention/purge', { preHandler: requireStaff('admin') }, async (req) => {
    const counts = await app.retention.purge();
    await app.audit.record({ actorType: 'staff', actorId: staffOf(req).id, action: 'retention.purge_manual', targetType: 'retention', targetId: null, meta: { ...counts } });
    return { purged: counts };
  });

  app.get('/api/audit', { preHandler: requireStaff('supervisor', 'admin') }, async (req) => {
    const q = parse(auditQuery, req.query);
    const { from, to, ...rest } = q;
    const events = await app.audit.search({ ...rest, ...(from ? { from: new Date(from) } : {}), ...(to ? { to: new Date(to) } : {}) });
    // Reading the audit log is itself audited (which filters, not what was found).
    await app.audit.record({ actorType: 'staff', actorId: staffOf(req).id, action: 'audit.search', targetType: 'audit', targetId: null, meta: { filters: Object.keys(q).join(',') } });
    return { events: events.map((e) => ({ ...e, at: e.at.toISOString() })) };
  });
}
