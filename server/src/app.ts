// buildApp(config): the whole server, composed in one visible order.
//   1. infrastructure: the data folder's lock (embedded default) → database (Postgres or PGlite) → Redis
//      (or a private redis-server) → BullMQ → Socket.IO
//   2. services: audit, settings, auth, rate limits, conversations ⇄ routing, cases
//   3. HTTP: cookies, security headers, sessions, errors → routes of each feature → static front-ends
//   4. sockets: /widget, /agent
//   5. on ready: job workers and the reconciliation sweep; on close: everything in reverse.
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { matchLanguageTag } from '@helpline/shared';
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import type { Config } from './config.js';
import './types.js';
import { openDatabase } from './db/client.js';
import { redisFactory, startEmbeddedRedis, type EmbeddedRedis } from './infra/redis.js';
import { checkRedisPolicy } from './infra/redis-policy.js';
import { claimDataDir, type DataDirOwner } from './infra/data-dir.js';
import { createSessionWatch } from './auth/socket-sessions.js';
import { createStaffAdmin } from './admin/staff.js';
import { startCliChannel, type CliChannel } from './cli/channel.js';
import { Jobs } from './infra/jobs.js';
import { trackInFlight } from './infra/drain.js';
import { createRealtime } from './realtime/server.js';
import { AppError, httpStatusOf, loggableError, toApiError } from './http/errors.js';
import { healthRoutes } from './http/health.js';
import { createAuditService } from './audit/service.js';
import { createSettingsService } from './settings/service.js';
import { createAuthService, SESSION_COOKIE } from './auth/service.js';
import { authRoutes } from './auth/routes.js';
import { createRateLimits } from './ratelimit/service.js';
import { createConversationService } from './conversations/service.js';
import { registerWidgetSocket } from './conversations/widget-socket.js';
import { createRoutingService } from './routing/service.js';
import { createQueueInformation } from './routing/queue-info.js';
import { createQueueState } from './conversations/queue-state.js';
import { systemClock, type Clock } from './infra/clock.js';
import { registerAgentSocket } from './routing/agent-socket.js';
import { registerRoutingJobs } from './routing/jobs.js';
import { createCaseService } from './cases/service.js';
import { createCaseRecords } from './cases/records.js';
import { caseRoutes } from './cases/routes.js';
import { webRoutes } from './web/routes.js';
import { createHotlineService } from './hotline/service.js';
import { createMailer } from './hotline/mailer.js';
import { hotlineRoutes } from './hotline/routes.js';
import { createNoteService } from './notes/service.js';
import { noteRoutes } from './notes/routes.js';
import { registerNoteSocket } from './notes/socket.js';
import { createCannedService } from './canned/service.js';
import { cannedRoutes } from './canned/routes.js';
import { createReferralService } from './referrals/service.js';
import { referralRoutes } from './referrals/routes.js';
import { createReturnCodeService } from './cases/return-codes.js';
import { caseConsoleRoutes } from './cases/console-routes.js';
import { staffDirectoryRoutes } from './staff-directory/routes.js';
import { createOfflineMessageService } from './widget/service.js';
import { registerOfflineInboxSocket } from './widget/socket.js';
import { widgetRoutes } from './widget/routes.js';
import { createSupervisionService } from './supervision/service.js';
import { supervisionRoutes } from './supervision/routes.js';
import { registerSupervisionSocket } from './supervision/socket.js';
import { adminRoutes } from './admin/routes.js';
import { createProfileService } from './profiles/service.js';
import { profileRoutes } from './profiles/routes.js';
import { createRetentionService } from './retention/service.js';
import { registerRetentionJobs, retentionRoutes } from './retention/routes.js';
import { createMetrics, metricsPlugin } from './metrics/metrics.js';
import { createCodeHasher, resolveServerSecret } from './infra/secret.js';
import { createChannelKeys } from './channels/crypto.js';
import { createChannelService } from './channels/service.js';
import { channelRoutes } from './channels/routes.js';
import { createVoiceService } from './voice/service.js';
import { voiceRoutes } from './voice/routes.js';
import { apiDocs } from './http/openapi.js';
import { createAlertService } from './alerts/service.js';
import { alertRoutes } from './alerts/routes.js';
import { createPushService } from './alerts/push/service.js';
import { pushRoutes } from './alerts/push/routes.js';
import { resolveVapidKeys } from './alerts/push/vapid.js';

export interface BuildOptions {
  /** Don't start job workers and the sweep (tests of a single piece). */
  workers?: boolean;
  /** The time of routing, rate limits and sessions (tests move an offset clock forward). */
  clock?: Clock;
}

export async function buildApp(config: Config, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const clock = opts.clock ?? systemClock;
  const app = Fastify({
    logger: {
      level: config.LOG_LEVEL,
      // Never log credentials; bodies (message text, passwords) are never logged at all.
      redact: ['req.headers.cookie', 'req.headers.authorization', 'req.headers["x-csrf-token"]', 'res.headers["set-cookie"]'],
      // No client address or port in any request's log line: a public request's address beside its
      // time ties a child (or a reporter) to an IP. Staff requests drop them too: one rule cannot be
      // forgotten on a new public route, and the audit log records what staff do.
      serializers: { req: (req: { method?: string; url?: string }) => ({ method: req.method, url: req.url }) },
    },
    bodyLimit: 64 * 1024,
    trustProxy: config.TRUST_PROXY,
    // Every log line of a request carries its id (`reqId`): unique across instances, and the load
    // balancer's own (nginx's $request_id, see deploy/nginx) when there is one to trust.
    genReqId: () => randomUUID(),
    requestIdHeader: config.TRUST_PROXY ? 'x-request-id' : false,
  });
  app.decorate('config', config);
  app.decorate('clock', clock);

  // 1. Infrastructure
  // Whatever of the embedded default is used lives in the data folder, which has one owner: this process.
  const owner: DataDirOwner | null = config.embedded.postgres || config.embedded.redis ? await claimDataDir(config.DATA_DIR) : null;
  const failed = async (err: unknown): Promise<never> => {
    await owner?.release();
    throw err;
  };
  // The secret next: without one a server must not start.
  const serverSecret = await resolveServerSecret(config, owner).catch(failed);
  const codes = createCodeHasher(serverSecret);
  const vapidKeys = await resolveVapidKeys(config, owner).catch(failed);
  const database = await openDatabase({ url: config.DATABASE_URL, ...(owner ? { owner } : {}), poolSize: config.DATABASE_POOL_SIZE }).catch(failed);
  app.decorate('database', database);
  app.decorate('db', database.db);
  let embeddedRedis: EmbeddedRedis | null = null;
  let redisUrl = config.REDIS_URL;
  if (!redisUrl) {
    embeddedRedis = await startEmbeddedRedis(owner!).catch(async (err: unknown) => {
      await database.close();
      await owner?.release();
      throw err;
    });
    redisUrl = embeddedRedis.url;
  }
  const redis = redisFactory(redisUrl, config.REDIS_PREFIX);
  app.decorate('redis', redis);
  app.decorate('redisClient', redis.create({ name: 'commands', autoPipeline: true }));
  // A Redis that evicts keys would drop queued work silently: refuse to start on one.
  await checkRedisPolicy(app.redisClient, app.log).catch(async (err: unknown) => {
    app.redisClient.disconnect();
    await database.close();
    await embeddedRedis?.stop();
    return failed(err);
  });
  app.decorate('jobs', new Jobs(redis, app.log));
  app.decorate('realtime', createRealtime(app.server, redis));

  // 2. Services
  app.decorate('audit', createAuditService(app.db));
  app.decorate('settings', createSettingsService(app.db));
  app.decorate('auth', createAuthService(app.db, { sessionTtlMs: config.SESSION_TTL_MS, defaultCapacity: config.DEFAULT_CAPACITY }, clock));
  app.decorate('sessionWatch', createSessionWatch({ db: app.db, clock, redis, publisher: app.redisClient, agent: app.realtime.agent, recheckMs: config.SESSION_RECHECK_MS, log: app.log }));
  app.decorate('rateLimits', createRateLimits(app.redisClient, config.REDIS_PREFIX, { messagesPer10s: config.MESSAGE_RATE_PER_10S, connectionsPerIpPerMin: config.WIDGET_CONNECTIONS_PER_IP_PER_MIN, loginsPerIpPerMin: config.LOGINS_PER_IP_PER_MIN }, clock));
  // Conversations first, given routing's queue information; routing then subscribes to its events
  // (one way: conversations knows nothing of routing).
  const queueState = createQueueState(app.db);
  const queueInfo = createQueueInformation({ db: app.db, clock, queueState, staff: app.auth });
  app.decorate(
    'conversations',
    createConversationService(app.db, database.query, app.realtime, {
      queueInfo: queueInfo.queueInfo,
      staffName: app.auth.staffName,
      staffNames: app.auth.staffNames,
      queueState,
      channelWeight: async (channel) => (await app.settings.get('channelWeights'))[channel],
    }),
  );
  app.decorate(
    'router',
    createRoutingService(
      { db: app.db, dispatchQuery: database.dispatchQuery, config, jobs: app.jobs, realtime: app.realtime, conversations: app.conversations, staff: app.auth, audit: app.audit, settings: app.settings, log: app.log, clock },
      queueInfo,
    ),
  );
  const channelKeys = createChannelKeys(serverSecret);
  app.decorate(
    'channels',
    createChannelService({
      db: app.db,
      config,
      keys: channelKeys,
      jobs: app.jobs,
      realtime: app.realtime,
      conversations: app.conversations,
      settings: app.settings,
      hotline: () => (app.hasDecorator('hotline') ? app.hotline : null),
      clock,
      log: app.log,
      defaultLanguage: async () => matchLanguageTag((await app.settings.get('widget')).defaultLanguage) ?? 'en',
    }),
  );
  app.decorate(
    'voice',
    createVoiceService({
      db: app.db,
      config,
      keys: channelKeys,
      channels: app.channels,
      conversations: app.conversations,
      routing: app.router,
      audit: app.audit,
      jobs: app.jobs,
      queueInfo: (c) => app.router.queueInfo(c),
      defaultLanguage: async () => matchLanguageTag((await app.settings.get('widget')).defaultLanguage) ?? 'en',
      clock,
      log: app.log,
    }),
  );
  app.decorate('cases', createCaseService(app.db, { conversations: app.conversations, routing: app.router, audit: app.audit }));
  // Follow-ups fall due by the centre's calendar, not the server's.
  const centreToday = async () => new Intl.DateTimeFormat('en-CA', { timeZone: (await app.settings.get('hours')).timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(clock.now());
  app.decorate('caseRecords', createCaseRecords(app.db, { audit: app.audit, staffNames: app.auth.staffNames, today: centreToday }));
  app.decorate(
    'hotline',
    createHotlineService(app.db, {
      audit: app.audit,
      mailer: createMailer(config.SMTP_URL, config.MAIL_FROM, app.log),
      // A report that came by a hotline mailbox is answered through that mailbox (the e-mail channel's).
      mailbox: () => app.channels.email.hotlineFeedback,
      log: app.log,
      codes,
      routing: () => app.settings.get('hotlineRouting'),
      claims: {
        ttlMs: config.HOTLINE_CLAIM_MINUTES * 60_000,
        takedownReminderMs: config.HOTLINE_TAKEDOWN_REMINDER_HOURS * 3_600_000,
        now: () => new Date(clock.now()),
        names: (ids) => app.auth.staffNames(ids),
        isAnalyst: async (id) => {
          const s = await app.auth.getStaff(id);
          return s?.role === 'analyst' && !s.disabledAt;
        },
      },
    }),
  );
  app.decorate('notes', createNoteService(app.db, { conversations: app.conversations, audit: app.audit, realtime: app.realtime, staffNames: app.auth.staffNames }));
  app.decorate('canned', createCannedService(app.db, { audit: app.audit }));
  app.decorate('referrals', createReferralService(app.db, { conversations: app.conversations, cases: app.cases, audit: app.audit, staffNames: app.auth.staffNames }));
  app.decorate('profiles', createProfileService({ settings: app.settings, referrals: app.referrals, audit: app.audit, clock }));
  app.decorate('returnCodes', createReturnCodeService(app.db, { conversations: app.conversations, audit: app.audit, codes }));
  app.decorate(
    'push',
    createPushService({ db: app.db, jobs: app.jobs, config, keys: vapidKeys, clock, log: app.log, defaultLanguage: async () => matchLanguageTag((await app.settings.get('widget')).defaultLanguage) ?? 'en' }),
  );
  app.decorate(
    'alerts',
    createAlertService(app.db, {
      published: (id) => app.push.alertPublished(id),
      audit: app.audit,
      clock,
      staffNames: app.auth.staffNames,
      centreLanguages: async () => {
        const w = await app.settings.get('widget');
        const languages = w.languages.map((l) => matchLanguageTag(l)).filter((l): l is NonNullable<typeof l> => !!l);
        const defaultLanguage = matchLanguageTag(w.defaultLanguage) ?? languages[0] ?? 'en';
        return { languages: languages.length ? languages : [defaultLanguage], defaultLanguage };
      },
    }),
  );
  app.decorate('supervision', createSupervisionService(app));
  app.decorate('metrics', createMetrics(app));
  app.decorate('staffAdmin', createStaffAdmin(app));
  app.router.onChange(() => app.supervision.touch());
  app.conversations.events.on('stored', (sender) => app.metrics.messages.inc({ sender }));
  app.decorate('offlineMessages', createOfflineMessageService(app.db, { audit: app.audit, jobs: app.jobs, claimMs: config.OFFLINE_CLAIM_MS, log: app.log, staffNames: app.auth.staffNames }));
  app.offlineMessages.onChange(() => void app.supervision.touch().catch(() => {}));
  app.decorate('retention', createRetentionService({ db: app.db, settings: app.settings, audit: app.audit, notes: app.notes, log: app.log, batch: { size: config.RETENTION_BATCH_SIZE, pauseRatio: config.RETENTION_PAUSE_RATIO } }));
  registerRetentionJobs(app);
  const routingJobs = registerRoutingJobs(app);

  // 3. HTTP
  await app.register(fastifyCookie);
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        // CSP3: 'self' covers ws: and wss: to this same host (the console's socket), and nothing else
        // but the SIP proxy's WebSocket when the centre has a phone line (the softphone's).
        connectSrc: ["'self'", ...(config.VOICE_WS_URL ? [new URL(config.VOICE_WS_URL).origin.replace(/^http/, 'ws')] : [])],
        frameSrc: ["'self'"],
        frameAncestors: ["'self'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        upgradeInsecureRequests: null,
      },
    },
    crossOriginEmbedderPolicy: false,
    hsts: config.publicUrl.startsWith('https:'),
  });
  app.decorateRequest('session', null);
  app.addHook('onRequest', async (req) => {
    if (!req.url.startsWith('/api/')) return;
    const token = req.cookies[SESSION_COOKIE];
    if (token) req.session = await app.auth.sessionFor(token);
  });
  app.setErrorHandler((err, req, reply) => {
    let api = toApiError(err);
    const fe = err as { code?: string; statusCode?: number };
    if (!(err instanceof AppError) && api.code === 'internal' && fe.statusCode && fe.statusCode < 500) {
      api =
        fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? { code: 'too_large', message: 'Request body too large' }
          : fe.statusCode === 415
            ? { code: 'invalid_payload', message: 'Unsupported content type: send JSON' }
            : { code: 'invalid_payload', message: 'Malformed request' };
    }
    if (api.code === 'internal' || api.code === 'unavailable') req.log.error({ err: loggableError(err) }, 'request failed');
    void reply.code(httpStatusOf(api)).send({ error: api });
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send({ error: { code: 'not_found', message: 'Not found' } });
  });

  await app.register(apiDocs);
  await app.register(metricsPlugin);
  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(caseRoutes);
  await app.register(hotlineRoutes);
  await app.register(caseConsoleRoutes);
  await app.register(noteRoutes);
  await app.register(cannedRoutes);
  await app.register(referralRoutes);
  await app.register(staffDirectoryRoutes);
  await app.register(widgetRoutes);
  await app.register(supervisionRoutes);
  await app.register(adminRoutes);
  await app.register(profileRoutes);
  await app.register(retentionRoutes);
  await app.register(channelRoutes);
  await app.register(voiceRoutes);
  await app.register(alertRoutes);
  await app.register(pushRoutes);
  await app.register(webRoutes);

  // 4. Sockets
  registerWidgetSocket(app);
  registerAgentSocket(app);
  registerNoteSocket(app);
  registerSupervisionSocket(app);
  registerOfflineInboxSocket(app);

  // 5. Lifecycle
  let cliChannel: CliChannel | null = null;
  app.addHook('onReady', async () => {
    await app.sessionWatch.start();
    if (opts.workers !== false) {
      app.jobs.start();
      routingJobs.startSweep();
      app.channels.startSweep();
    }
    if (owner) {
      cliChannel = await startCliChannel(app, owner.channelPath);
      owner.announce({ url: config.publicUrl });
    }
  });
  const drain = trackInFlight([app.realtime.widget, app.realtime.agent], (namespace, event, seconds) => app.metrics.socketAck.observe({ namespace, event }, seconds));
  app.addHook('preClose', async () => {
    routingJobs.stopSweep();
    app.channels.stopSweep();
    // No new connections: the load balancer sends them to another instance (see src/infra/drain.ts).
    if (app.server.listening) app.server.close();
    // Each instance tells its own sockets, lets the frames flush and what they sent before the notice
    // be answered, then drops them. Counsellors who reconnect to another instance within the grace
    // period keep their conversations.
    // From here on, a socket that goes is one this instance lets go: no disconnect marks (a mark
    // written now could land after the person's reconnection elsewhere had cleared it, and release a
    // counsellor's chats at the end of the grace although she is back).
    app.realtime.leaving = true;
    app.realtime.widget.local.emit('session:ended', { reason: 'shutdown' });
    app.realtime.agent.local.emit('session:ended', { reason: 'shutdown' });
    await new Promise((r) => setTimeout(r, 150));
    // Within Fastify's 10 s limit for a close hook.
    if (!(await drain.idle(Math.min(config.SHUTDOWN_GRACE_MS, 8_000)))) app.log.warn({ inFlight: drain.inFlight() }, 'shutdown: events still unanswered after SHUTDOWN_GRACE_MS');
    // Closing the transports (not a Socket.IO disconnect) makes clients reconnect by themselves,
    // to another instance behind the load balancer.
    app.realtime.io.engine.close();
  });
  app.addHook('onClose', async () => {
    // Each step is bounded: with Redis or Postgres gone, a clean exit beats waiting forever.
    const step = (name: string, p: Promise<unknown>) =>
      Promise.race([p, new Promise((r) => setTimeout(r, 3_000).unref())]).catch((err: unknown) => app.log.warn({ step: name, err: loggableError(err) }, 'shutdown step failed'));
    if (cliChannel) await step('cli channel', cliChannel.close());
    await step('sessions', app.sessionWatch.stop());
    await step('jobs', app.jobs.close());
    await step('dispatch', app.router.settle());
    await step('realtime', app.realtime.close());
    app.redisClient.disconnect();
    await step('database', database.close());
    if (embeddedRedis) await step('redis', embeddedRedis.stop());
    // Last: the folder is free only once nothing of this process writes in it.
    if (owner) await step('data folder', owner.release());
  });
  return app;
}
