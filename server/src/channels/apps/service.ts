// The messaging apps on the channel seam (docs/messaging-apps.md). Inbound: a verified webhook body is
// stored (app_events) and acknowledged; a job parses it with the app's driver and hands each message to
// `channels.inbound.receive` (idempotent on the app's message id), each receipt to the outbox. Outbound:
// one outbox adapter per app, answering the person at their sealed address, within Meta's window.
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { APP_CHANNELS, isAppChannel, LIMITS, type AppChannel, type AppConnectionCheck, type AppInboxConnect, type InboxView, type Language } from '@helpline/shared';
import type { Db } from '../../db/client.js';
import type { Config } from '../../config.js';
import type { Clock } from '../../infra/clock.js';
import type { Jobs } from '../../infra/jobs.js';
import { AppError, loggableError } from '../../http/errors.js';
import type { ConversationService } from '../../conversations/service.js';
import type { ChannelKeys } from '../crypto.js';
import type { Inbound } from '../inbound.js';
import type { Inboxes, OpenInbox } from '../inboxes.js';
import { DeliveryRefused, type ChannelAdapter, type Outbox } from '../outbox.js';
import type { AppDriver, AppEvent, AppInbox } from './common.js';
import { instagramDriver } from './instagram.js';
import { metaHandshake } from './meta.js';
import { messengerDriver } from './messenger.js';
import { FILES_NOT_ACCEPTED } from './notices.js';
import { telegramDriver } from './telegram.js';
import { viberDriver } from './viber.js';
import { whatsappDriver } from './whatsapp.js';
import { appContacts, appEvents } from './tables.js';
import type { AppInboxCreate } from './schemas.js';

export { isAppChannel };

export interface AppsDeps {
  db: Db;
  config: Config;
  keys: ChannelKeys;
  jobs: Jobs;
  inboxes: Inboxes;
  inbound: Inbound;
  /** The outbox is built with the apps' adapters, so it is reached late. */
  outbox: () => Outbox;
  conversations: ConversationService;
  defaultLanguage: () => Promise<Language>;
  clock: Clock;
  log: FastifyBaseLogger;
}

/** A counsellor's typing or reading is shown to the person at most this often per conversation. */
const ACTIVITY_EVERY_MS = 4_000;

const META = new Set<AppChannel>(['messenger', 'instagram', 'whatsapp']);

export function createApps(d: AppsDeps) {
  const { db } = d;
  const drivers: Record<AppChannel, AppDriver> = {
    viber: viberDriver(d.config),
    telegram: telegramDriver(d.config),
    messenger: messengerDriver(d.config, 'Messenger'),
    instagram: instagramDriver(d.config),
    whatsapp: whatsappDriver(d.config),
  };

  const appInbox = (inbox: OpenInbox): AppInbox | null => {
    if (!isAppChannel(inbox.channel)) return null;
    let secrets: Record<string, string> = {};
    try {
      secrets = JSON.parse(inbox.secret) as Record<string, string>;
    } catch {
      secrets = {};
    }
    return { id: inbox.id, channel: inbox.channel, name: inbox.name, enabled: inbox.enabled, config: inbox.config, secrets };
  };
  const openApp = async (id: string): Promise<AppInbox> => {
    const inbox = await d.inboxes.open(id);
    const app = inbox && appInbox(inbox);
    if (!app) throw new AppError('not_found', 'No such messaging app inbox');
    return app;
  };
  const webhookUrl = (id: string) => `${d.config.publicUrl}/api/channels/apps/${id}/webhook`;

  const eventJob = (id: string) => ({ jobId: `appev-${id}`, attempts: d.config.DELIVERY_ATTEMPTS, backoff: { type: 'retry-after', delay: d.config.DELIVERY_BACKOFF_MS }, removeOnComplete: true, removeOnFail: 1000 });

  async function contactOf(inbox: AppInbox, userId: string): Promise<string> {
    return d.conversations.contactFor(inbox.channel, inbox.id, d.keys.contactHash(inbox.id, userId));
  }

  async function onMessage(inbox: AppInbox, raw: OpenInbox, ev: Extract<AppEvent, { kind: 'message' }>): Promise<void> {
    const visitorId = await contactOf(inbox, ev.userId);
    // The address to answer at, sealed; the window counts from the latest message of the person.
    const [contact] = await db
      .insert(appContacts)
      .values({ visitorId, inboxId: inbox.id, addressSealed: d.keys.seal(ev.userId), language: ev.language, lastInboundAt: new Date(Math.min(ev.at.getTime(), d.clock.now())) })
      .onConflictDoUpdate({
        target: appContacts.visitorId,
        set: { addressSealed: sql`excluded.address_sealed`, language: sql`coalesce(excluded.language, ${appContacts.language})`, lastInboundAt: sql`greatest(excluded.last_inbound_at, ${appContacts.lastInboundAt})` },
      })
      .returning();
    let duplicate = false;
    if (ev.text) {
      const res = await d.inbound.receive(raw, { externalUserId: ev.userId, externalMessageId: ev.messageId, text: ev.text.slice(0, LIMITS.messageMaxChars), language: ev.language });
      duplicate = res.duplicate;
    }
    if (ev.files > 0 && !duplicate) {
      // Never downloaded, never stored: the person is told, in their language, and asked for words.
      const language = ev.language ?? contact?.language ?? (await d.defaultLanguage());
      await drivers[inbox.channel].send(inbox, ev.userId, FILES_NOT_ACCEPTED[language] ?? FILES_NOT_ACCEPTED.en);
    }
  }

  async function process(data: Record<string, unknown>): Promise<void> {
    const [row] = await db.select().from(appEvents).where(eq(appEvents.id, String(data.eventId)));
    if (!row) return;
    const raw = await d.inboxes.open(row.inboxId);
    const inbox = raw && appInbox(raw);
    let events: AppEvent[] = [];
    try {
      events = inbox ? drivers[inbox.channel].parse(inbox, row.body) : [];
    } catch (err) {
      d.log.warn({ inboxId: row.inboxId, err: loggableError(err).message }, 'unreadable app webhook body dropped');
    }
    if (inbox && raw && inbox.enabled) {
      for (const ev of events) {
        if (ev.kind === 'message') await onMessage(inbox, raw, ev);
        else if (ev.kind === 'receipt') await d.outbox().receipt(inbox.id, ev.messageIds, ev.state);
        else {
          const open = await d.conversations.currentForVisitor(await contactOf(inbox, ev.userId));
          if (open) await d.outbox().receiptUpTo(inbox.id, open.id, ev.upTo, ev.state);
        }
      }
    }
    await db.delete(appEvents).where(eq(appEvents.id, row.id));
  }
  d.jobs.define('channels', 'app-event', process);

  // The counsellor typing or reading, shown to the person where the app can (Messenger, Instagram:
  // typing_on / mark_seen; Telegram: typing). At most once per conversation and kind every few seconds;
  // best effort (nothing is retried: the next keystroke or read sends it again).
  const lastActivity = new Map<string, number>();
  d.conversations.events.on('staff-activity', async (c, activity) => {
    if (!isAppChannel(c.channel) || !c.visitorId || !drivers[c.channel].activity) return;
    const key = `${c.id}:${activity}`;
    const now = d.clock.now();
    if (now - (lastActivity.get(key) ?? -Infinity) < ACTIVITY_EVERY_MS) return;
    lastActivity.set(key, now);
    if (lastActivity.size > 10_000) lastActivity.clear();
    try {
      const [contact] = await db.select().from(appContacts).where(eq(appContacts.visitorId, c.visitorId));
      const windowMs = drivers[c.channel].replyWindowMs;
      if (!contact || (windowMs !== undefined && now - contact.lastInboundAt.getTime() > windowMs)) return;
      const open = await d.inboxes.open(contact.inboxId);
      const inbox = open && appInbox(open);
      if (inbox?.enabled) await drivers[c.channel].activity!(inbox, d.keys.open(contact.addressSealed), activity);
    } catch (err) {
      d.log.debug({ conversationId: c.id, activity, err: loggableError(err).message }, 'app activity not shown');
    }
  });

  function adapter(channel: AppChannel): ChannelAdapter {
    return {
      async deliver(open, out) {
        // The apps have no "conversation ended" message: nothing is sent.
        if (out.kind !== 'message.created') return {};
        const inbox = appInbox(open);
        if (!inbox) throw new Error('not a messaging app inbox');
        const c = await d.conversations.get(out.conversationId);
        const [contact] = c.visitorId ? await db.select().from(appContacts).where(eq(appContacts.visitorId, c.visitorId)) : [];
        if (!contact) throw new DeliveryRefused('recipient_gone', 'no address of this contact is kept (erased)');
        const windowMs = drivers[channel].replyWindowMs;
        if (windowMs !== undefined && d.clock.now() - contact.lastInboundAt.getTime() > windowMs) {
          throw new DeliveryRefused('outside_window', `more than ${Math.round(windowMs / 3600_000)} h since the person's last message`);
        }
        return drivers[channel].send(inbox, d.keys.open(contact.addressSealed), out.message.body);
      },
    };
  }

  return {
    drivers,
    adapters: Object.fromEntries(APP_CHANNELS.map((c) => [c, adapter(c)])) as Record<AppChannel, ChannelAdapter>,
    appInbox,

    async create(input: AppInboxCreate): Promise<{ inbox: InboxView; connect: AppInboxConnect }> {
      const { channel, name, ...tokens } = input;
      const secrets: Record<string, string> = Object.fromEntries(Object.entries(tokens).filter(([k]) => k !== 'phoneNumberId')) as Record<string, string>;
      const config: Record<string, string> = {};
      if (channel === 'telegram') secrets.webhookSecret = randomBytes(32).toString('base64url');
      if (META.has(channel)) config.verifyToken = randomBytes(24).toString('base64url');
      if (input.channel === 'whatsapp') config.phoneNumberId = input.phoneNumberId;
      const { inbox } = await d.inboxes.create({ channel, name, secret: JSON.stringify(secrets), config });
      return { inbox, connect: await this.connect(inbox.id) };
    },

    async connect(id: string): Promise<AppInboxConnect> {
      const inbox = await openApp(id);
      return { channel: inbox.channel, webhookUrl: webhookUrl(id), verifyToken: inbox.config.verifyToken ?? null, phoneNumberId: inbox.config.phoneNumberId ?? null };
    },

    async check(id: string): Promise<AppConnectionCheck> {
      const inbox = await openApp(id);
      return drivers[inbox.channel].check(inbox);
    },

    async register(id: string): Promise<AppConnectionCheck> {
      const inbox = await openApp(id);
      const reg = drivers[inbox.channel].register;
      if (!reg) throw new AppError('invalid_state', 'This app\'s webhook is set in its own dashboard');
      return reg(inbox, webhookUrl(id));
    },

    /** The raw body's signature, by the inbox's app. */
    verify(open: OpenInbox, headers: IncomingHttpHeaders, raw: Buffer): boolean {
      const inbox = appInbox(open);
      return !!inbox && drivers[inbox.channel].verify(inbox, headers, raw);
    },

    handshake(open: OpenInbox, query: Record<string, unknown>): string | null {
      const inbox = appInbox(open);
      return inbox && META.has(inbox.channel) ? metaHandshake(inbox, query) : null;
    },

    /** A verified body: stored, then queued; the app is answered once it is stored. */
    async accept(inboxId: string, raw: Buffer): Promise<void> {
      const [row] = await db.insert(appEvents).values({ inboxId, body: raw.toString('utf8') }).returning({ id: appEvents.id });
      await d.jobs.add('channels', 'app-event', { eventId: row!.id }, eventJob(row!.id));
    },

    /** Stored bodies whose job is gone (Redis lost it, an instance died before the add) are queued again. */
    async sweep(): Promise<void> {
      const rows = await db
        .select({ id: appEvents.id })
        .from(appEvents)
        .where(and(lt(appEvents.createdAt, new Date(d.clock.now() - d.config.DELIVERY_SWEEP_AFTER_MS))))
        .limit(500);
      for (const r of rows) if (!(await d.jobs.state('channels', `appev-${r.id}`))) await d.jobs.add('channels', 'app-event', { eventId: r.id }, eventJob(r.id));
    },
  };
}
export type Apps = ReturnType<typeof createApps>;
