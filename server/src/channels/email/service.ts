// The e-mail channel (docs/email.md): mailbox inboxes, their receiving sessions, the outbox adapter,
// and what the console may see of a thread (the address masked; revealing it is audited).
import { asc, eq, inArray } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { EmailConnectionTest, EmailThreadView, InboxView } from '@helpline/shared';
import type { Db } from '../../db/client.js';
import type { Config } from '../../config.js';
import type { Clock } from '../../infra/clock.js';
import type { Jobs } from '../../infra/jobs.js';
import type { SettingsService } from '../../settings/service.js';
import type { ConversationService } from '../../conversations/service.js';
import { AppError } from '../../http/errors.js';
import type { ChannelKeys } from '../crypto.js';
import type { Inbound } from '../inbound.js';
import type { Inboxes } from '../inboxes.js';
import { createEmailAdapter } from './adapter.js';
import { testConnection } from './connect.js';
import { createHotlineFeedback } from './hotline-feedback.js';
import { createIntake, type HotlineIntake } from './intake.js';
import { createNotices } from './notices.js';
import { authVerdicts } from './parse.js';
import { createReceiver } from './receiver.js';
import { emailSettingsEdit, emailSettingsSchema, sealable, secretsOf, settingsOf, toConfig } from './settings.js';
import { emailMailboxes, emailMessages } from './tables.js';
import type { z } from 'zod';

export interface EmailDeps {
  db: Db;
  config: Config;
  keys: ChannelKeys;
  jobs: Jobs;
  inboxes: Inboxes;
  inbound: Inbound;
  settings: SettingsService;
  conversations: Pick<ConversationService, 'get'>;
  hotline: () => HotlineIntake | null;
  clock: Clock;
  log: FastifyBaseLogger;
}

/** `child@example.org` → `c•••@e•••.org`: enough to tell two correspondents apart, not to write to them. */
export function maskAddress(address: string): string {
  const [local = '', domain = ''] = address.split('@');
  const dot = domain.lastIndexOf('.');
  const name = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local.slice(0, 1)}•••@${name.slice(0, 1)}•••${tld}`;
}

const schedulerId = (inboxId: string) => `email-receive-${inboxId}`;

export function createEmailChannel(d: EmailDeps) {
  const { db } = d;
  const notices = createNotices({ config: d.config, jobs: d.jobs, keys: d.keys, inboxes: d.inboxes, settings: d.settings, clock: d.clock, log: d.log });
  const purged = async (conversationId: string) => !!(await d.conversations.get(conversationId)).transcriptPurgedAt;
  const intake = createIntake({ db, hotline: d.hotline, keys: d.keys, inbound: d.inbound, notices, purged, log: d.log });
  const receiver = createReceiver({ db, config: d.config, inboxes: d.inboxes, intake, clock: d.clock, log: d.log });
  const adapter = createEmailAdapter({ db, keys: d.keys, config: d.config });
  const hotlineFeedback = createHotlineFeedback({ config: d.config, jobs: d.jobs, keys: d.keys, inboxes: d.inboxes, hotline: d.hotline, log: d.log });
  d.jobs.define('mail', 'receive', async (data) => receiver.session(String(data.inboxId)));

  async function schedule(inboxId: string, enabled: boolean): Promise<void> {
    if (enabled && d.config.EMAIL_POLL_MS > 0) await d.jobs.schedule('mail', schedulerId(inboxId), d.config.EMAIL_POLL_MS, 'receive', { inboxId });
    else await d.jobs.unschedule('mail', schedulerId(inboxId));
  }

  async function threadRows(conversationId: string) {
    return db.select().from(emailMessages).where(eq(emailMessages.conversationId, conversationId)).orderBy(asc(emailMessages.createdAt));
  }

  return {
    adapter,
    intake,
    receiver,
    /** The hotline's feedback through the mailbox a report came by (the hotline's `mailbox` hook). */
    hotlineFeedback,

    async create(name: string, input: z.output<typeof emailSettingsSchema>) {
      const created = await d.inboxes.create({ channel: 'email', name, config: toConfig(input), secret: sealable(input) });
      await schedule(created.inbox.id, true);
      return created;
    },

    async update(id: string, patch: { name?: string; enabled?: boolean; email?: z.output<typeof emailSettingsEdit> }): Promise<InboxView> {
      const cur = await d.inboxes.open(id);
      if (!cur || cur.channel !== 'email') throw new AppError('not_found', 'No such e-mail inbox');
      const e = patch.email ?? {};
      const secrets = secretsOf(cur);
      const secret = e.imapPassword !== undefined || e.smtpPassword !== undefined ? sealable({ imapPassword: e.imapPassword ?? secrets.imapPassword, smtpPassword: e.smtpPassword ?? secrets.smtpPassword }) : undefined;
      const view = await d.inboxes.update(id, { name: patch.name, enabled: patch.enabled, config: toConfig(e), ...(secret ? { secret } : {}) });
      await schedule(id, view.enabled);
      return view;
    },

    /** Receiving status of the e-mail inboxes among `views`. */
    async decorate(views: InboxView[]): Promise<InboxView[]> {
      const ids = views.filter((v) => v.channel === 'email').map((v) => v.id);
      if (!ids.length) return views;
      const rows = new Map((await db.select().from(emailMailboxes).where(inArray(emailMailboxes.inboxId, ids))).map((r) => [r.inboxId, r]));
      return views.map((v) => {
        const r = rows.get(v.id);
        return v.email && r ? { ...v, email: { ...v.email, receiveError: r.lastError, receiveErrorAt: r.lastErrorAt?.toISOString() ?? null, lastReceivedAt: r.lastOkAt?.toISOString() ?? null } } : v;
      });
    },

    async test(id: string): Promise<EmailConnectionTest> {
      const inbox = await d.inboxes.open(id);
      if (!inbox || inbox.channel !== 'email') throw new AppError('not_found', 'No such e-mail inbox');
      return testConnection(settingsOf(inbox.config), secretsOf(inbox), d.config.EMAIL_TIMEOUT_MS);
    },

    /** Every enabled e-mail inbox gets its receiving scheduler (idempotent: one per inbox across instances). */
    async scheduleAll(): Promise<void> {
      for (const v of await d.inboxes.list()) if (v.channel === 'email') await schedule(v.id, v.enabled);
    },

    async thread(conversationId: string): Promise<EmailThreadView | null> {
      const rows = (await threadRows(conversationId)).filter((r) => r.direction === 'in');
      const last = rows.at(-1);
      if (!last) return null;
      return {
        subject: rows.find((r) => r.subject)?.subject ?? null,
        maskedFrom: maskAddress(d.keys.open(last.addressSealed)),
        authentication: { ...authVerdicts(last.authResults), raw: last.authResults },
        attachments: rows.flatMap((r) => r.attachments),
        dropped: rows.reduce((n, r) => n + r.dropped, 0),
      };
    },

    /** The correspondent's whole address (the caller checks role and relation, and audits). */
    async address(conversationId: string): Promise<string | null> {
      const last = (await threadRows(conversationId)).filter((r) => r.direction === 'in').at(-1);
      return last ? d.keys.open(last.addressSealed) : null;
    },
  };
}
export type EmailChannel = ReturnType<typeof createEmailChannel>;
