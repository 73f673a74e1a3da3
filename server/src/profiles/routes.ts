// Centre profile: admins read and apply it; the hotline reads its forwarding routing. On first start the
// CENTRE_PROFILE setting applies one if none was applied yet (several instances may race: applying is
// idempotent, institutions are added under a lock).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CENTRE_PROFILES, type CentreProfileState, type HotlineRouting } from '@helpline/shared';
import { requireStaff } from '../auth/guard.js';
import { parse } from '../http/validate.js';

export const applyProfileSchema = z.object({ id: z.enum(CENTRE_PROFILES) }).strict();

export async function profileRoutes(app: FastifyInstance): Promise<void> {
  const admins = requireStaff('admin');
  app.get('/api/admin/profile', { preHandler: admins }, async (): Promise<CentreProfileState> => app.profiles.state());
  app.put('/api/admin/profile', { preHandler: admins }, async (req): Promise<CentreProfileState> => {
    const { id } = parse(applyProfileSchema, req.body);
    return app.profiles.apply(id, req.session!.staff.id);
  });
  app.get('/api/hotline/routing', { preHandler: requireStaff('analyst', 'supervisor', 'admin') }, async (): Promise<HotlineRouting> => app.settings.get('hotlineRouting'));

  // Holidays roll over: at every start and daily, the applied profile's holidays of a year not yet added.
  app.jobs.define('timers', 'holiday-rollover', async () => {
    await app.profiles.rollOver();
  });
  const initial = app.config.CENTRE_PROFILE;
  app.addHook('onReady', async () => {
    if (initial && (await app.settings.get('profile')).id === null) await app.profiles.apply(initial, null);
    await app.profiles.rollOver();
    try {
      await app.jobs.schedule('timers', 'holiday-rollover', 86_400_000, 'holiday-rollover', {});
    } catch (err) {
      app.log.warn({ err: (err as Error).message }, 'holiday rollover not scheduled; it runs at the next start');
    }
  });
}
