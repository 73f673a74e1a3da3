// HTTP side of the widget: its public configuration and leave-a-message (public, Origin-checked,
// rate-limited), and the staff side of offline messages (counsellor, supervisor).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LANGUAGES, type Language, type OfflineMessageList, type WidgetConfig } from '@helpline/shared';
import { requireStaff, staffOf } from '../auth/guard.js';
import { AppError } from '../http/errors.js';
import { parse } from '../http/validate.js';
import type { Limit } from '../ratelimit/service.js';
import { uuid } from '../conversations/schemas.js';
import { isAllowedOrigin } from '../settings/origins.js';
import { answerSchema, listQuerySchema, offlineMessageSchema, offlineStatusSchema } from './schemas.js';

const idParams = z.object({ id: uuid });

// Per IP, generous because a whole school may share one address; per reference, tight, so that a
// pick-up code cannot be guessed even from many addresses.
const CREATE_LIMIT: Limit = { name: 'offmsg', max: 20, windowMs: 10 * 60_000 };
const STATUS_LIMIT: Limit = { name: 'offstat', max: 60, windowMs: 60_000 };
const STATUS_PER_REF_LIMIT: Limit = { name: 'offstatref', max: 10, windowMs: 60 * 60_000 };

const isLanguage = (l: string): l is Language => (LANGUAGES as readonly string[]).includes(l);

export async function widgetRoutes(app: FastifyInstance): Promise<void> {
  /** Browsers always send Origin on a POST; a missing or foreign one is refused. */
  async function checkOrigin(req: FastifyRequest): Promise<void> {
    const origin = req.headers.origin;
    if (!(await isAllowedOrigin(app, origin, req.headers))) {
      throw new AppError('origin_not_allowed', 'This site may not use the widget');
    }
  }

  app.get('/api/widget/config', { config: { docs: { tags: ['public'], summary: 'The widget\'s public configuration' } } }, async (req, reply) => {
    // Same-origin GETs carry no Origin; a cross-origin one must be an allowed site.
    if (req.headers.origin) await checkOrigin(req);
    const w = await app.settings.get('widget');
    const languages = w.languages.filter(isLanguage);
    const res: WidgetConfig = {
      centreName: w.centreName,
      primaryColor: w.primaryColor,
      phoneLine: w.phoneLine,
      email: w.email,
      hoursText: w.hoursText,
      exitUrl: w.exitUrl,
      languages: languages.length ? languages : [...LANGUAGES],
      defaultLanguage: isLanguage(w.defaultLanguage) ? w.defaultLanguage : 'en',
      reportUrl: '/report',
    };
    void reply.header('cache-control', 'no-store');
    return res;
  });

  app.post('/api/widget/offline-messages', { config: { docs: { tags: ['public'], summary: 'Leave a message when nobody can chat', body: offlineMessageSchema } } }, async (req, reply) => {
    await checkOrigin(req);
    await app.rateLimits.hit(CREATE_LIMIT, req.ip);
    const input = parse(offlineMessageSchema, req.body);
    const created = await app.offlineMessages.create(input);
    void reply.code(201).header('cache-control', 'no-store');
    return created;
  });

  app.post('/api/widget/offline-messages/status', { config: { docs: { tags: ['public'], summary: 'Read the answer to a left message', body: offlineStatusSchema } } }, async (req, reply) => {
    await checkOrigin(req);
    await app.rateLimits.hit(STATUS_LIMIT, req.ip);
    const input = parse(offlineStatusSchema, req.body);
    await app.rateLimits.hit(STATUS_PER_REF_LIMIT, input.reference.trim().toUpperCase());
    void reply.header('cache-control', 'no-store');
    return app.offlineMessages.status(input.reference, input.pickupCode);
  });

  // Staff: the inbox. Counsellors and supervisors answer children; analysts and admins never read them.
  const answering = { preHandler: requireStaff('counsellor', 'supervisor') };
  app.get('/api/offline-messages', answering, async (req): Promise<OfflineMessageList> => {
    const q = parse(listQuerySchema, req.query);
    const [messages, counts] = await Promise.all([app.offlineMessages.list(staffOf(req), q), app.offlineMessages.counts()]);
    return { messages, counts };
  });
  app.get('/api/offline-messages/counts', answering, async () => app.offlineMessages.counts());
  app.get('/api/offline-messages/:id', answering, async (req) => app.offlineMessages.read(staffOf(req), parse(idParams, req.params).id));
  app.post('/api/offline-messages/:id/claim', answering, async (req) => app.offlineMessages.claim(staffOf(req), parse(idParams, req.params).id));
  app.post('/api/offline-messages/:id/release', answering, async (req) => app.offlineMessages.release(staffOf(req), parse(idParams, req.params).id));
  app.post('/api/offline-messages/:id/answer', answering, async (req) => {
    const { id } = parse(idParams, req.params);
    const { answer } = parse(answerSchema, req.body);
    return app.offlineMessages.answer(staffOf(req), id, answer);
  });
}
