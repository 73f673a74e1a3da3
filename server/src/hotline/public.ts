// The public side: the /report page with its assets, the form's challenge, the JSON-only intake and the
// anonymous status check. Rate-limited per IP; a proof of work and a honeypot instead of a CAPTCHA.
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { LANGUAGES, matchAcceptLanguage, matchLanguageTag, type HotlineChallenge, type HotlineReportCreated, type HotlineStatusView, type Language } from '@helpline/shared';
import { parse } from '../http/validate.js';
import { AppError } from '../http/errors.js';
import type { Limit } from '../ratelimit/service.js';
import { refuseFiles, reportInputSchema, statusQuerySchema } from './schemas.js';
import { reportPage } from './page.js';
import { createPow } from './pow.js';

const isLanguage = (l: string): l is Language => (LANGUAGES as readonly string[]).includes(l);

const asset = (name: string) => readFileSync(new URL(`./assets/${name}`, import.meta.url), 'utf8');
const TEN_MIN = 600_000;

/** Only JSON reaches the intake: multipart and any other body (a file) is refused before parsing. */
async function jsonOnly(req: FastifyRequest): Promise<void> {
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  if (!type.startsWith('application/json')) {
    throw new AppError('invalid_payload', 'Only JSON is accepted: files cannot be uploaded, report the address (URL) only', { fields: [{ path: 'content-type', message: 'application/json required' }] });
  }
}

export async function hotlinePublicRoutes(app: FastifyInstance): Promise<void> {
  const script = asset('report.js');
  const css = asset('report.css');
  const pow = createPow(app.redisClient, app.config.REDIS_PREFIX, app.config.HOTLINE_POW_BITS);
  const limits: Record<'report' | 'challenge' | 'status', Limit> = {
    report: { name: 'hlreport', max: app.config.HOTLINE_REPORTS_PER_10MIN, windowMs: TEN_MIN },
    challenge: { name: 'hlchallenge', max: app.config.HOTLINE_REPORTS_PER_10MIN * 5, windowMs: TEN_MIN },
    // Guessing pick-up codes must stay hopeless: few tries per IP.
    status: { name: 'hlstatus', max: 30, windowMs: TEN_MIN },
  };

  app.get('/report', async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const w = await app.settings.get('widget');
    // The link's language, else the browser's among those the centre offers, else the centre's default.
    const offered = w.languages.filter(isLanguage);
    const lang = matchLanguageTag(typeof q.lang === 'string' ? q.lang : null) ?? matchAcceptLanguage(req.headers['accept-language'], offered) ?? (isLanguage(w.defaultLanguage) ? w.defaultLanguage : 'en');
    const source = q.src === 'widget' ? 'widget' : 'form';
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .send(reportPage({ lang, languages: offered.length ? offered : [lang], source, centreName: w.centreName }));
  });
  app.get('/report/assets/report.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(script));
  app.get('/report/assets/report.css', async (_req, reply) => reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(css));

  app.get('/api/hotline/challenge', { config: { docs: { tags: ['public'], summary: 'A proof-of-work challenge for the report form' } } }, async (req): Promise<HotlineChallenge> => {
    await app.rateLimits.hit(limits.challenge, req.ip);
    return pow.issue();
  });

  app.post('/api/hotline/reports', { onRequest: jsonOnly, bodyLimit: 64 * 1024, config: { docs: { tags: ['public'], summary: 'Report illegal content (URLs only, never files)', body: reportInputSchema } } }, async (req): Promise<HotlineReportCreated> => {
    await app.rateLimits.hit(limits.report, req.ip);
    refuseFiles(req.body);
    const input = parse(reportInputSchema, req.body);
    await pow.verify(input.pow);
    if (input.website) {
      // A filled honeypot is a bot: it gets an answer that looks normal and nothing is stored.
      await app.audit.record({ actorType: 'visitor', actorId: null, action: 'hotline.report.discarded', targetType: 'hotline_report', targetId: null, meta: { reason: 'honeypot' } });
      return { reference: 'HR-' + Math.random().toString(36).slice(2, 8).toUpperCase().padEnd(6, 'X'), pickupCode: 'XXXX-XXXX-XXXX' };
    }
    const created = await app.hotline.create(input, { source: input.source === 'widget' ? 'widget' : 'form' });
    return { reference: created.reference, pickupCode: created.pickupCode };
  });

  app.post('/api/hotline/status', { onRequest: jsonOnly, bodyLimit: 4 * 1024, config: { docs: { tags: ['public'], summary: 'What became of a report, by its reference and pick-up code', body: statusQuerySchema } } }, async (req): Promise<HotlineStatusView> => {
    await app.rateLimits.hit(limits.status, req.ip);
    const { reference, pickupCode } = parse(statusQuerySchema, req.body);
    return app.hotline.publicStatus(reference, pickupCode);
  });
}
