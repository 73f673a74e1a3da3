// The channel seam (docs/channels.md): inboxes, inbound receipt, the outbox, and each channel's adapter.
// Subscribes to the conversation service's events; the conversation service knows nothing of channels.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../db/client.js';
import type { Config } from '../config.js';
import type { Clock } from '../infra/clock.js';
import type { Jobs } from '../infra/jobs.js';
import type { Realtime } from '../realtime/server.js';
import type { ConversationService } from '../conversations/service.js';
import { loggableError } from '../http/errors.js';
import type { Language } from '@helpline/shared';
import { createApiAdapter } from './api-adapter.js';
import { createApps } from './apps/service.js';
import type { ChannelKeys } from './crypto.js';
import { createInbound } from './inbound.js';
import { createInboxes } from './inboxes.js';
import { createOutbox, DeliveryRefused, type ChannelAdapter, type Outbox } from './outbox.js';
import { createEmailChannel } from './email/service.js';
import type { HotlineIntake } from './email/intake.js';
import type { SettingsService } from '../settings/service.js';

export interface ChannelDeps {
  db: Db;
  config: Config;
  keys: ChannelKeys;
  jobs: Jobs;
  realtime: Realtime;
  conversations: ConversationService;
  settings: SettingsService;
  /** The hotline's intake for a hotline mailbox (late-bound: built after the channels). */
  hotline: () => HotlineIntake | null;
  clock: Clock;
  log: FastifyBaseLogger;
  /** The centre's default language: notices to a person whose app does not tell theirs. */
  defaultLanguage?: () => Promise<Language>;
}

/** A phone call has no written messages to hand over, and its end is the caller's own hang-up. */
const phoneAdapter: ChannelAdapter = {
  async deliver(_inbox, out) {
    if (out.kind === 'conversation.ended') return {};
    throw new DeliveryRefused('rejected', 'A phone call takes no written messages');
  },
};

export function createChannelService(d: ChannelDeps) {
  const inboxes = createInboxes(d.db, d.keys);
  const inbound = createInbound(d.db, { conversations: d.conversations, keys: d.keys, clock: d.clock });
  let outboxRef: Outbox | null = null;
  const apps = createApps({
    db: d.db,
    config: d.config,
    keys: d.keys,
    jobs: d.jobs,
    inboxes,
    inbound,
    outbox: () => outboxRef!,
    conversations: d.conversations,
    defaultLanguage: d.defaultLanguage ?? (async () => 'en'),
    clock: d.clock,
    log: d.log,
  });
  const email = createEmailChannel({ db: d.db, config: d.config, keys: d.keys, jobs: d.jobs, inboxes, inbound, settings: d.settings, conversations: d.conversations, hotline: d.hotline, clock: d.clock, log: d.log });
  const outbox = createOutbox({
    db: d.db,
    config: d.config,
    jobs: d.jobs,
    realtime: d.realtime,
    conversations: d.conversations,
    inboxes,
    adapters: { api: createApiAdapter({ timeoutMs: d.config.DELIVERY_TIMEOUT_MS, clock: d.clock }), ...apps.adapters, email: email.adapter, phone: phoneAdapter },
    clock: d.clock,
    log: d.log,
  });
  outboxRef = outbox;
  d.conversations.events.on('staff-message', outbox.onStaffMessage);
  // A failure to queue the "ended" event must not fail the end of the conversation itself.
  d.conversations.events.on('published', (c) => outbox.onPublished(c).catch((err: unknown) => d.log.warn({ err: loggableError(err), conversationId: c.id }, 'could not queue conversation.ended')));

  let timer: NodeJS.Timeout | null = null;
  let running = false;
  return {
    inboxes,
    inbound,
    outbox,
    /** Each staff message's delivery state on a conversation of another channel (the console's history). */
    deliveryStates: (conversationId: string) => outbox.messageStates(conversationId),
    apps,
    email,
    startSweep(): void {
      void email.scheduleAll().catch((err: unknown) => d.log.warn({ err: loggableError(err) }, 'could not schedule the e-mail inboxes'));
      if (timer || d.config.SWEEP_INTERVAL_MS === 0) return;
      timer = setInterval(() => {
        if (running) return;
        running = true;
        Promise.all([outbox.sweep(), apps.sweep()])
          .catch((err: unknown) => d.log.warn({ err: loggableError(err) }, 'outbox sweep failed'))
          .finally(() => {
            running = false;
          });
      }, d.config.SWEEP_INTERVAL_MS);
      timer.unref();
    },
    stopSweep(): void {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
export type ChannelService = ReturnType<typeof createChannelService>;
