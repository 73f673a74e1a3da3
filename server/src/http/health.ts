import type { FastifyInstance } from 'fastify';

export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/health', { config: { docs: { tags: ['public'], summary: 'Liveness' } } }, async () => ({ status: 'ok' }));
  app.get('/ready', { config: { docs: { tags: ['public'], summary: 'Readiness (Postgres and Redis answer)' } } }, async (_req, reply) => {
    const timeout = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000))]);
    const [pg, redis] = await Promise.allSettled([timeout(app.database.ping()), timeout(app.redisClient.ping())]);
    const body = { postgres: pg.status === 'fulfilled' ? 'ok' : 'down', redis: redis.status === 'fulfilled' ? 'ok' : 'down' };
    return reply.code(pg.status === 'fulfilled' && redis.status === 'fulfilled' ? 200 : 503).send(body);
  });
}
