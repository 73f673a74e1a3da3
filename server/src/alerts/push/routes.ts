// Web Push over HTTP, public: the VAPID key, subscribe, unsubscribe. Origin-checked like the widget's
// other public POSTs, rate-limited per IP, small bodies only.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PushKey } from '@helpline/shared';
import { AppError } from '../../http/errors.js';
import { parse } from '../../http/validate.js';
import type { Limit } from '../../ratelimit/service.js';
import { isAllowedOrigin } from '../../settings/origins.js';
import { pushSubscribeSchema, pushUnsubscribeSchema } from './schemas.js';

/** A subscription is about 400 bytes of JSON. */
const BODY_LIMIT = 4096;

export async function pushRoutes(app: FastifyInstance): Promise<void> {
  const limit: Limit = { name: 'push', max: app.config.PUSH_SUBSCRIBES_PER_IP_PER_10MIN, windowMs: 10 * 60_000 };
  async function guard(req: FastifyRequest): Promise<void> {
    if (!(await isAllowedOrigin(app, req.headers.origin, req.headers))) throw new AppError('origin_not_allowed', 'This site may not use the widget');
    await app.rateLimits.hit(limit, req.ip);
  }

  app.get('/api/public/push/key', { config: { docs: { tags: ['public'], summary: 'The VAPID public key for PushManager.subscribe (404 when push is off)' } } }, async (_req, reply): Promise<PushKey> => {
    const publicKey = app.push.publicKey();
    void reply.header('cache-control', 'public, max-age=3600');
    return { publicKey };
  });

  app.post('/api/public/push/subscribe', { bodyLimit: BODY_LIMIT, config: { docs: { tags: ['public'], summary: 'Receive published alerts in one language by Web Push', body: pushSubscribeSchema } } }, async (req, reply) => {
    await guard(req);
    await app.push.subscribe(parse(pushSubscribeSchema, req.body));
    return reply.code(204).header('cache-control', 'no-store').send();
  });

  app.post('/api/public/push/unsubscribe', { bodyLimit: BODY_LIMIT, config: { docs: { tags: ['public'], summary: 'Stop alerts by Web Push to this browser', body: pushUnsubscribeSchema } } }, async (req, reply) => {
    await guard(req);
    await app.push.unsubscribe(parse(pushUnsubscribeSchema, req.body));
    return reply.code(204).header('cache-control', 'no-store').send();
  });
}
