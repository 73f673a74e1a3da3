// The automatic mails (texts.ts), sent as jobs of the channels' queue with retries: an
// acknowledgement, the files note, a refusal of a mail too large. Each marked as automatic
// (Auto-Submitted: auto-replied, RFC 3834) so well-behaved software never answers it back, and
// threaded on the mail it answers. The address travels sealed in the job.
import type { FastifyBaseLogger } from 'fastify';
import type { Language } from '@helpline/shared';
import type { Config } from '../../config.js';
import type { Clock } from '../../infra/clock.js';
import type { Jobs } from '../../infra/jobs.js';
import type { SettingsService } from '../../settings/service.js';
import type { ChannelKeys } from '../crypto.js';
import type { Inboxes } from '../inboxes.js';
import { smtpTransport } from './connect.js';
import { secretsOf, settingsOf } from './settings.js';
import { notice, referenceOf, type NoticeKind } from './texts.js';

export interface Notice {
  inboxId: string;
  kind: NoticeKind;
  toSealed: string;
  inReplyTo: string | null;
  subject: string | null;
  language: Language;
  conversationId: string | null;
}

export interface NoticeDeps {
  config: Pick<Config, 'EMAIL_MAX_BYTES' | 'EMAIL_TIMEOUT_MS' | 'DELIVERY_ATTEMPTS' | 'DELIVERY_BACKOFF_MS'>;
  jobs: Jobs;
  keys: ChannelKeys;
  inboxes: Inboxes;
  settings: SettingsService;
  clock: Clock;
  log: FastifyBaseLogger;
}

export const reSubject = (subject: string | null, fallback: string) => (subject ? (/^re:/i.test(subject.trim()) ? subject : `Re: ${subject}`) : fallback);
export const domainOf = (address: string) => address.split('@')[1] || 'localhost';

export function createNotices(d: NoticeDeps) {
  d.jobs.define('channels', 'email-notice', async (data) => {
    const n = data as unknown as Notice;
    const inbox = await d.inboxes.open(n.inboxId);
    if (!inbox || !inbox.enabled) return;
    const s = settingsOf(inbox.config);
    const kind = n.kind;
    const hours = Math.max(1, Math.round(((await d.settings.get('channelTargets')).email ?? 86_400) / 3600));
    const t = notice(kind, n.language, { reference: n.conversationId ? referenceOf(n.conversationId) : '', hours, maxMb: Math.round(d.config.EMAIL_MAX_BYTES / 1024 / 1024) });
    const transport = smtpTransport(s, secretsOf(inbox), d.config.EMAIL_TIMEOUT_MS);
    try {
      await transport.sendMail({
        from: { name: inbox.name, address: s.fromAddress },
        to: d.keys.open(n.toSealed),
        subject: reSubject(n.subject, t.subject),
        text: s.signature ? `${t.text}\n\n-- \n${s.signature}\n` : `${t.text}\n`,
        ...(n.inReplyTo ? { inReplyTo: n.inReplyTo, references: [n.inReplyTo] } : {}),
        headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
        textEncoding: 'base64',
      });
    } finally {
      transport.close();
    }
  });

  return {
    async queue(n: Notice, jobId: string): Promise<void> {
      // Open or closed when the mail came (the centre's hours by the app's clock), not when a retry sends it.
      const kind = n.kind === 'ack' && !(await d.settings.isWithinHours(new Date(d.clock.now()))) ? 'ack_closed' : n.kind;
      await d.jobs.add('channels', 'email-notice', { ...n, kind }, { jobId, attempts: d.config.DELIVERY_ATTEMPTS, backoff: { type: 'exponential', delay: d.config.DELIVERY_BACKOFF_MS }, removeOnComplete: 1000, removeOnFail: 1000 });
    },
  };
}
export type EmailNotices = ReturnType<typeof createNotices>;
