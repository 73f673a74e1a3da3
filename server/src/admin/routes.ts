// Administration (admins only): staff accounts, centre settings, and the audit log. Every change is
// recorded in the audit log (which setting, never its values where they could be personal).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../auth/guard.js';
import { AppError } from '../http/errors.js';
import { parse } from '../http/validate.js';
import { uuid } from '../conversations/schemas.js';
import { ADMIN_SETTINGS_KEYS, settingsSchemas, staffCreateSchema, staffEditSchema, type AdminSettingsKey } from './schemas.js';

const idParams = z.object({ id: uuid });
const keyParams = z.object({ key: z.enum(ADMIN_SETTINGS_KEYS as [AdminSettingsKey, ...AdminSettingsKey[]]) });
const auditQuery = z
  .object({
    action: z.string().max(100).optional(),
    targetType: z.string().max(50).optional(),
    targetId: z.string().max(100).optional(),
    actorId: uuid.optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const admins = requireStaff('admin');
  const staff = app.staffAdmin;
  const actor = (req: Parameters<typeof staffOf>[0]) => ({ type: 'staff' as const, id: staffOf(req).id });

  app.get('/api/admin/staff', { preHandler: admins }, async () => ({ staff: await staff.list() }));
  app.post('/api/admin/staff', { preHandler: admins }, async (req, reply) => {
    const body = parse(staffCreateSchema, req.body);
    return reply.code(201).send(await staff.create(actor(req), body));
  });
  app.patch('/api/admin/staff/:id', { preHandler: admins }, async (req) => {
    const { id } = parse(idParams, req.params);
    return staff.update(actor(req), id, parse(staffEditSchema, req.body));
  });

  app.get('/api/admin/settings', { preHandler: admins }, async () => {
    const entries = await Promise.all(ADMIN_SETTINGS_KEYS.map(async (k) => [k, await app.settings.get(k)] as const));
    return Object.fromEntries(entries);
  });
  app.put('/api/admin/settings/:key', { preHandler: admins }, async (req) => {
    const { key } = parse(keyParams, req.params);
    const value = parse(settingsSchemas[key], req.body) as Record<string, unknown>;
    if (key === 'widget' && value.languages && value.defaultLanguage && !(value.languages as string[]).includes(value.defaultLanguage as string)) {
      throw new AppError('invalid_payload', 'The default language must be one of the languages');
    }
    const saved = await app.settings.set(key, value as never);
    await app.audit.record({ actorType: 'staff', actorId: staffOf(req).id, action: 'settings.update', targetType: 'settings', targetId: key, meta: { fields: Object.keys(value).join(',') } });
    if (key === 'serviceLevel' || key === 'surge' || key === 'hours') await app.supervision.touch();
    return saved;
  });

  app.get('/api/admin/audit', { preHandler: admins }, async (req) => {
    const q = parse(auditQuery, req.query);
    const rows = await app.audit.search(q);
    return { events: rows.map((r) => ({ ...r, at: r.at.toISOString() })) };
  });
}
