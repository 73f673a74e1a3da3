// Alerts over HTTP: the console's routes (analysts and admins) and the two public feeds.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { LANGUAGES, matchAcceptLanguage, matchLanguageTag, type Language, type StaffAlert } from '@helpline/shared';
import { requireStaff, staffOf } from '../auth/guard.js';
import { parse } from '../http/validate.js';
import { uuid } from '../conversations/schemas.js';
import { ALERT_ROLES } from './service.js';
import { alertInputSchema, feedQuerySchema } from './schemas.js';
import { atomFeed, sendCacheable } from './feeds.js';

const idParams = z.object({ id: uuid });
const isLanguage = (l: string): l is Language => (LANGUAGES as readonly string[]).includes(l);

const ATOM_TITLE: Record<Language, string> = {
  en: 'Alerts: new online fraud and abuse',
  bg: 'Сигнали: нови онлайн измами и злоупотреби',
  'sr-Cyrl': 'Упозорења: нове преваре и злоупотребе на интернету',
  'sr-Latn': 'Upozorenja: nove prevare i zloupotrebe na internetu',
};

export async function alertRoutes(app: FastifyInstance): Promise<void> {
  const staff = requireStaff(...ALERT_ROLES);
  const viewer = (req: FastifyRequest) => {
    const s = staffOf(req);
    return { id: s.id, role: s.role };
  };

  app.get('/api/alerts', { preHandler: staff }, async (req): Promise<{ alerts: StaffAlert[] }> => ({ alerts: await app.alerts.list(viewer(req)) }));
  app.get('/api/alerts/:id', { preHandler: staff }, async (req) => app.alerts.get(viewer(req), parse(idParams, req.params).id));
  app.post('/api/alerts', { preHandler: staff }, async (req) => app.alerts.create(viewer(req), parse(alertInputSchema, req.body)));
  app.put('/api/alerts/:id', { preHandler: staff }, async (req) => app.alerts.update(viewer(req), parse(idParams, req.params).id, parse(alertInputSchema, req.body)));
  const step = (name: 'submit' | 'approve' | 'send-back' | 'withdraw', run: (v: ReturnType<typeof viewer>, id: string) => Promise<StaffAlert>) =>
    app.post(`/api/alerts/:id/${name}`, { preHandler: staff }, async (req) => run(viewer(req), parse(idParams, req.params).id));
  step('submit', app.alerts.submit);
  step('approve', app.alerts.approve);
  step('send-back', app.alerts.sendBack);
  step('withdraw', app.alerts.withdraw);

  /** The link's language, else the browser's among the centre's, else (in the service) the centre's default. */
  async function languageOf(req: FastifyRequest): Promise<Language | null> {
    const { lang } = parse(feedQuerySchema, req.query);
    const offered = (await app.settings.get('widget')).languages.filter(isLanguage);
    return matchLanguageTag(lang ?? null) ?? matchAcceptLanguage(req.headers['accept-language'], offered);
  }

  app.get('/api/public/alerts', { config: { docs: { tags: ['public'], summary: 'Published alerts on new online fraud and abuse trends, in one language', querystring: feedQuerySchema } } }, async (req, reply) => {
    const { nextExpiry, ...feed } = await app.alerts.publicFeed(await languageOf(req));
    return sendCacheable(req, reply, JSON.stringify(feed), 'application/json; charset=utf-8', nextExpiry, app.clock.now());
  });

  app.get('/alerts.atom', async (req, reply) => {
    const { nextExpiry, ...feed } = await app.alerts.publicFeed(await languageOf(req));
    const w = await app.settings.get('widget');
    const body = atomFeed(feed, { selfUrl: `${app.config.publicUrl}/alerts.atom?lang=${feed.language}`, centreName: w.centreName, title: `${w.centreName}: ${ATOM_TITLE[feed.language]}` });
    return sendCacheable(req, reply, body, 'application/atom+xml; charset=utf-8', nextExpiry, app.clock.now());
  });
}
