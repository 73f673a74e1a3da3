// Administration (admins only): staff accounts, centre settings, and the audit log. Every change is
// recorded in the audit log (which setting, never its values where they could be personal).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireStaff, staffOf } from '../auth/guard.js';
import { AppError } from '../http/errors.js';
import { parse } from '../http/validate.js';
import type { SettingsShape } from '../settings/service.js';
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
  /** Each key's schema yields a part of that key's settings: checked here, for every key, by the compiler. */
  const schemaOf: { [K in AdminSettingsKey]: z.ZodType<Partial<SettingsShape[K]>> } = settingsSchemas;
  async function saveSetting<K extends AdminSettingsKey>(key: K, body: unknown): Promise<{ saved: SettingsShape[K]; fields: string[] }> {
    const value = parse(schemaOf[key], body);
    return { saved: await app.settings.set(key, value), fields: Object.keys(value) };
  }
  app.put('/api/admin/settings/:key', { preHandler: admins }, async (req) => {
    const { key } = parse(keyParams, req.params);
    if (key === 'widget') {
      const w = parse(settingsSchemas.widget, req.body);
      if (w.languages && w.defaultLanguage && !w.languages.includes(w.defaultLanguage)) {
        throw new AppError('invalid_payload', 'The default language must be one of the languages');
      }
    }
    const { saved, fields } = await saveSetting(key, req.body);
    await app.audit.record({ actorType: 'staff', actorId: staffOf(req).id, action: 'settings.update', targetType: 'settings', targetId: key, meta: { fields: fields.join(',') } });
    if (key === 'serviceLevel' || key === 'surge' || key === 'hours') await app.supervision.touch();
    return saved;
  });

  app.get('/api/admin/audit', { preHandler: admins }, async (req) => {
    const q = parse(auditQuery, req.query);
    const rows = await app.audit.search(q);
    return { events: rows.map((r) => ({ ...r, at: r.at.toISOString() })) };
  });
}
