// HTTP of the channels: the API inbox's public route for integrators, and the admin's inbox pages.
// The public route is verified before its body is parsed: the raw body's signature and its timestamp
// are checked in this plugin's content-type parser, after the inbox's own rate limit.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { requireStaff, staffOf } from '../auth/guard.js';
import { AppError } from '../http/errors.js';
import { MAX_SKEW_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER, signatureMatches } from './crypto.js';
import type { OpenInbox } from './inboxes.js';
import {
  apiMessageAccepted,
  apiMessageSchema,
  errorBody,
  failedDelivery,
  idParams,
  inboxCreateSchema,
  inboxCreated,
  inboxEditSchema,
  inboxParams,
  inboxView,
} from './schemas.js';
import { z } from 'zod';
import { appRoutes } from './apps/routes.js';
import { emailRoutes } from './email/routes.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiInbox?: OpenInbox;
  }
}

const header = (req: FastifyRequest, name: string) => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

async function apiInboxRoutes(app: FastifyInstance): Promise<void> {
  const { channels, config } = app;
  app.addContentTypeParser('application/json', { parseAs: 'string' }, async (req: FastifyRequest, raw: string | Buffer) => {
    const params = inboxParams.safeParse(req.params);
    const inbox = params.success ? await channels.inboxes.open(params.data.inbox) : null;
    if (!inbox || inbox.channel !== 'api') throw new AppError('not_found', 'No such inbox');
    await app.rateLimits.hit({ name: 'apiinbox', max: config.API_INBOX_RATE_PER_MIN, windowMs: 60_000 }, inbox.id);
    const timestamp = header(req, TIMESTAMP_HEADER);
    const skew = timestamp && /^\d{1,12}$/.test(timestamp) ? Math.abs(app.clock.now() / 1000 - Number(timestamp)) : Infinity;
    if (skew > MAX_SKEW_SECONDS) throw new AppError('stale_timestamp', `${TIMESTAMP_HEADER} must be the current Unix time in seconds (within ${MAX_SKEW_SECONDS} s)`);
    const signature = header(req, SIGNATURE_HEADER) ?? '';
    if (!signatureMatches(inbox.secret, timestamp!, raw, signature)) throw new AppError('bad_signature', `${SIGNATURE_HEADER} does not match the body`);
    if (!inbox.enabled) throw new AppError('inbox_disabled', 'This inbox is turned off');
    req.apiInbox = inbox;
    try {
      return JSON.parse(String(raw)) as unknown;
    } catch {
      throw new AppError('invalid_payload', 'The body is not JSON');
    }
  });

  app.withTypeProvider<ZodTypeProvider>().post(
    '/api/channels/api/:inbox/messages',
    {
      schema: {
        tags: ['integrations'],
        summary: 'Post a message of a contact to an API inbox',
        params: inboxParams,
        body: apiMessageSchema,
        headers: z.looseObject({
          [TIMESTAMP_HEADER]: z.string().describe('Unix time in seconds; refused when more than 5 minutes off'),
          [SIGNATURE_HEADER]: z.string().describe('sha256=<hex HMAC-SHA256(inbox secret, timestamp + "." + raw body)>'),
        }),
        response: { 202: apiMessageAccepted, 400: errorBody, 401: errorBody, 403: errorBody, 404: errorBody, 409: errorBody, 429: errorBody },
      },
    },
    async (req, reply) => {
      const inbox = req.apiInbox;
      if (!inbox) throw new AppError('bad_signature', 'Unsigned request');
      const res = await channels.inbound.receive(inbox, { externalUserId: req.body.contactId, externalMessageId: req.body.messageId, text: req.body.text });
      return reply.code(202).send(res);
    },
  );
}

export async function channelRoutes(app: FastifyInstance): Promise<void> {
  await app.register(apiInboxRoutes);
  await app.register(appRoutes);
  await app.register(emailRoutes);
  // onRequest, not preHandler: the route's schema is checked before preHandler, and a stranger must
  // get 401, not a description of what the body lacks.
  const admins = requireStaff('admin');
  const { channels } = app;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const audit = (req: FastifyRequest, action: string, id: string) => app.audit.record({ actorType: 'staff', actorId: staffOf(req).id, action, targetType: 'inbox', targetId: id });

  r.get('/api/admin/inboxes', { onRequest: admins, schema: { tags: ['admin'], response: { 200: z.object({ inboxes: z.array(inboxView) }) } } }, async () => ({
    inboxes: await channels.email.decorate(await channels.inboxes.list()),
  }));
  r.post('/api/admin/inboxes', { onRequest: admins, schema: { tags: ['admin'], body: inboxCreateSchema, response: { 201: inboxCreated } } }, async (req, reply) => {
    const b = req.body;
    const created = b.channel === 'email' ? await channels.email.create(b.name, b.email) : await channels.inboxes.create({ channel: b.channel, name: b.name, webhookUrl: b.webhookUrl ?? null });
    await audit(req, 'inbox.created', created.inbox.id);
    return reply.code(201).send(created);
  });
  r.patch('/api/admin/inboxes/:id', { onRequest: admins, schema: { tags: ['admin'], params: idParams, body: inboxEditSchema, response: { 200: inboxView } } }, async (req) => {
    const { email, ...rest } = req.body;
    const cur = (await channels.inboxes.list()).find((i) => i.id === req.params.id);
    const view = cur?.channel === 'email' ? await channels.email.update(req.params.id, { name: rest.name, enabled: rest.enabled, email }) : await channels.inboxes.update(req.params.id, rest);
    await audit(req, 'inbox.updated', view.id);
    return (await channels.email.decorate([view]))[0]!;
  });
  r.get(
    '/api/admin/inboxes/:id/failed-deliveries',
    { onRequest: admins, schema: { tags: ['admin'], params: idParams, response: { 200: z.object({ deliveries: z.array(failedDelivery) }) } } },
    async (req) => ({ deliveries: await channels.outbox.failed(req.params.id) }),
  );
  r.post('/api/admin/deliveries/:id/replay', { onRequest: admins, schema: { tags: ['admin'], params: idParams } }, async (req) => {
    await channels.outbox.replay(req.params.id);
    await app.audit.record({ actorType: 'staff', actorId: staffOf(req).id, action: 'delivery.replayed', targetType: 'delivery', targetId: req.params.id });
    return { ok: true };
  });
}
