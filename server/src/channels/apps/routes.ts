// HTTP of the messaging apps: each inbox's webhook (verified on the raw body in this plugin's
// content-type parser, before anything is parsed; stored and answered 200 at once; processed by a job),
// Meta's GET handshake, and the admin's connect, check and register routes.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireStaff, staffOf } from '../../auth/guard.js';
import { AppError } from '../../http/errors.js';
import type { OpenInbox } from '../inboxes.js';
import { errorBody, idParams, inboxParams, inboxView } from '../schemas.js';
import { appConnectionCheck, appInboxConnect, appInboxCreateSchema } from './schemas.js';
import { isAppChannel } from './service.js';

declare module 'fastify' {
  interface FastifyRequest {
    appInbox?: OpenInbox;
  }
}

async function webhookRoutes(app: FastifyInstance): Promise<void> {
  const { channels, config } = app;
  const openApp = async (req: FastifyRequest) => {
    const params = inboxParams.safeParse(req.params);
    const inbox = params.success ? await channels.inboxes.open(params.data.inbox) : null;
    if (!inbox || !isAppChannel(inbox.channel)) throw new AppError('not_found', 'No such inbox');
    return inbox;
  };
  // Any content type: the signature is checked on the bytes as they came, then they are kept as text.
  const verified = async (req: FastifyRequest, raw: string | Buffer) => {
    const inbox = await openApp(req);
    const body = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
    if (!channels.apps.verify(inbox, req.headers, body)) throw new AppError('bad_signature', 'The webhook\'s signature does not match this inbox');
    if (!inbox.enabled) throw new AppError('inbox_disabled', 'This inbox is turned off');
    req.appInbox = inbox;
    return body;
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: config.APP_WEBHOOK_MAX_BYTES }, verified);
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.APP_WEBHOOK_MAX_BYTES }, verified);

  app.post(
    '/api/channels/apps/:inbox/webhook',
    {
      bodyLimit: config.APP_WEBHOOK_MAX_BYTES,
      config: { docs: { tags: ['integrations'], summary: 'A messaging app\'s webhook (Viber, Telegram, Messenger, Instagram, WhatsApp), signed by the app; 200 once stored', params: inboxParams } },
    },
    async (req, reply) => {
      const inbox = req.appInbox;
      if (!inbox || !Buffer.isBuffer(req.body)) throw new AppError('bad_signature', 'Unsigned request');
      await channels.apps.accept(inbox.id, req.body);
      return reply.code(200).send({ ok: true });
    },
  );

  // Meta's subscription handshake: hub.challenge back as text when hub.verify_token is this inbox's.
  app.get('/api/channels/apps/:inbox/webhook', async (req, reply) => {
    const inbox = await openApp(req);
    const challenge = channels.apps.handshake(inbox, req.query as Record<string, unknown>);
    if (!challenge) throw new AppError('forbidden', 'hub.verify_token does not match this inbox');
    return reply.code(200).type('text/plain').send(challenge);
  });
}

export async function appRoutes(app: FastifyInstance): Promise<void> {
  await app.register(webhookRoutes);
  const admins = requireStaff('admin');
  const { channels } = app;
  const r = app.withTypeProvider<ZodTypeProvider>();
  const audit = (req: FastifyRequest, action: string, id: string) => app.audit.record({ actorType: 'staff', actorId: staffOf(req).id, action, targetType: 'inbox', targetId: id });

  r.post(
    '/api/admin/app-inboxes',
    { onRequest: admins, schema: { tags: ['admin'], summary: 'Connect a messaging app (its tokens are sealed and never shown again)', body: appInboxCreateSchema, response: { 201: z.object({ inbox: inboxView, connect: appInboxConnect }), 400: errorBody } } },
    async (req, reply) => {
      const created = await channels.apps.create(req.body);
      await audit(req, 'inbox.created', created.inbox.id);
      return reply.code(201).send(created);
    },
  );
  r.get('/api/admin/inboxes/:id/app', { onRequest: admins, schema: { tags: ['admin'], params: idParams, response: { 200: appInboxConnect } } }, async (req) => channels.apps.connect(req.params.id));
  r.post('/api/admin/inboxes/:id/app/check', { onRequest: admins, schema: { tags: ['admin'], params: idParams, response: { 200: appConnectionCheck } } }, async (req) => {
    const res = await channels.apps.check(req.params.id);
    await audit(req, 'inbox.checked', req.params.id);
    return res;
  });
  r.post('/api/admin/inboxes/:id/app/register', { onRequest: admins, schema: { tags: ['admin'], params: idParams, response: { 200: appConnectionCheck } } }, async (req) => {
    const res = await channels.apps.register(req.params.id);
    await audit(req, 'inbox.webhook_registered', req.params.id);
    return res;
  });
}
