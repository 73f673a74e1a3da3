// The hotline's feedback to a reporter who wrote to a hotline mailbox goes back the way she came:
// through that mailbox's SMTP, from its address with its signature, as a reply to her mail
// (In-Reply-To and References her Message-ID, "Re: <her subject>"). The hotline writes the text (in
// her language, its own words); this sends it as a job of the channels' queue with retries, so the
// analyst's action never waits for a mail server. Not through the outbox: a report has no
// conversation and no staff message to hang a delivery on. The job carries the address, subject and
// text sealed; it is dropped once sent. Once out, the hotline is told (`feedbackSent`).
import type { FastifyBaseLogger } from 'fastify';
import type { HotlineStatus } from '@helpline/shared';
import type { Config } from '../../config.js';
import type { Jobs } from '../../infra/jobs.js';
import type { ChannelKeys } from '../crypto.js';
import type { Inboxes } from '../inboxes.js';
import { smtpTransport } from './connect.js';
import type { HotlineIntake } from './intake.js';
import { domainOf, reSubject } from './notices.js';
import { secretsOf, settingsOf } from './settings.js';

/** The way back, as the intake gave it to the hotline with the report. */
export interface HotlineReplyRoute {
  inboxId: string;
  inReplyTo: string | null;
  subject: string | null;
}

interface Sealed {
  to: string;
  subject: string;
  text: string;
  herSubject: string | null;
}

export function createHotlineFeedback(d: {
  config: Pick<Config, 'EMAIL_TIMEOUT_MS' | 'DELIVERY_ATTEMPTS' | 'DELIVERY_BACKOFF_MS'>;
  jobs: Jobs;
  keys: ChannelKeys;
  inboxes: Inboxes;
  hotline: () => HotlineIntake | null;
  log: FastifyBaseLogger;
}) {
  d.jobs.define('channels', 'email-hotline-feedback', async (data) => {
    const j = data as { inboxId: string; inReplyTo: string | null; reportId: string; status: HotlineStatus; sealed: string };
    const inbox = await d.inboxes.open(j.inboxId);
    if (!inbox || inbox.channel !== 'email' || !inbox.enabled) {
      d.log.warn({ inboxId: j.inboxId, reportId: j.reportId }, 'hotline feedback dropped: its mailbox is gone or turned off');
      return;
    }
    const m = JSON.parse(d.keys.open(j.sealed)) as Sealed;
    const s = settingsOf(inbox.config);
    const transport = smtpTransport(s, secretsOf(inbox), d.config.EMAIL_TIMEOUT_MS);
    try {
      await transport.sendMail({
        from: { name: inbox.name, address: s.fromAddress },
        to: m.to,
        subject: reSubject(m.herSubject, m.subject),
        text: s.signature ? `${m.text}\n-- \n${s.signature}\n` : m.text,
        // The same on every attempt of one report's feedback of one status.
        messageId: `<hotline-${j.reportId}-${j.status}@${domainOf(s.fromAddress)}>`,
        ...(j.inReplyTo ? { inReplyTo: j.inReplyTo, references: [j.inReplyTo] } : {}),
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        textEncoding: 'base64',
      });
    } catch (err) {
      const e = err as { code?: string; responseCode?: number };
      throw new Error(`SMTP: ${[e.code, e.responseCode].filter(Boolean).join(' ') || 'failed'}`);
    } finally {
      transport.close();
    }
    await d.hotline()?.feedbackSent(j.reportId, j.status);
  });

  return {
    /** Queue the feedback through the report's mailbox; false when that mailbox is gone or turned off (the hotline's mailer then). */
    async queue(route: HotlineReplyRoute, mail: { reportId: string; status: HotlineStatus; to: string; subject: string; text: string }): Promise<boolean> {
      const inbox = await d.inboxes.open(route.inboxId);
      if (!inbox || inbox.channel !== 'email' || !inbox.enabled) return false;
      const sealed = d.keys.seal(JSON.stringify({ to: mail.to, subject: mail.subject, text: mail.text, herSubject: route.subject } satisfies Sealed));
      await d.jobs.add(
        'channels',
        'email-hotline-feedback',
        { inboxId: route.inboxId, inReplyTo: route.inReplyTo, reportId: mail.reportId, status: mail.status, sealed },
        { jobId: `hotline-feedback-${mail.reportId}-${mail.status}`, attempts: d.config.DELIVERY_ATTEMPTS, backoff: { type: 'exponential', delay: d.config.DELIVERY_BACKOFF_MS }, removeOnComplete: true, removeOnFail: 1000 },
      );
      return true;
    },
  };
}
export type HotlineFeedback = ReturnType<typeof createHotlineFeedback>;
