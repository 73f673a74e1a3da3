// The e-mail channel's way out (the outbox's adapter): a staff message is a mail through the inbox's
// SMTP server with nodemailer, from the centre's address with its signature, threaded on the
// conversation's mails (In-Reply-To the last one in, References all of them, Subject "Re: ...").
// Its Message-ID is made from the delivery id, the same on every attempt: a receiver that got a
// retried one twice can tell. A conversation's end sends nothing.
import { asc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { Config } from '../../config.js';
import type { ChannelKeys } from '../crypto.js';
import type { ChannelAdapter } from '../outbox.js';
import { smtpTransport } from './connect.js';
import { domainOf, reSubject } from './notices.js';
import { secretsOf, settingsOf } from './settings.js';
import { emailMessages } from './tables.js';
import { referenceOf } from './texts.js';

export function createEmailAdapter(d: { db: Db; keys: ChannelKeys; config: Pick<Config, 'EMAIL_TIMEOUT_MS'> }): ChannelAdapter {
  return {
    async deliver(inbox, out) {
      if (out.kind !== 'message.created') return {};
      const s = settingsOf(inbox.config);
      const thread = await d.db.select().from(emailMessages).where(eq(emailMessages.conversationId, out.conversationId)).orderBy(asc(emailMessages.createdAt));
      const lastIn = thread.filter((m) => m.direction === 'in').at(-1);
      if (!lastIn) throw new Error('no e-mail to answer in this conversation');
      const messageId = `<${out.deliveryId}@${domainOf(s.fromAddress)}>`;
      const firstSubject = thread.find((m) => m.direction === 'in' && m.subject)?.subject ?? null;
      const subject = reSubject(lastIn.subject ?? firstSubject, `Re: ${referenceOf(out.conversationId)}`);
      const transport = smtpTransport(s, secretsOf(inbox), d.config.EMAIL_TIMEOUT_MS);
      try {
        await transport.sendMail({
          from: { name: inbox.name, address: s.fromAddress },
          to: d.keys.open(lastIn.addressSealed),
          subject,
          text: s.signature ? `${out.message.body}\n\n-- \n${s.signature}\n` : `${out.message.body}\n`,
          messageId,
          inReplyTo: lastIn.rfcMessageId,
          references: thread.map((m) => m.rfcMessageId).slice(-20),
          textEncoding: 'base64',
        });
      } catch (err) {
        const e = err as { code?: string; responseCode?: number; response?: string };
        throw new Error(`SMTP: ${[e.code, e.responseCode, e.response?.slice(0, 200)].filter(Boolean).join(' ') || (err as Error).message}`);
      } finally {
        transport.close();
      }
      await d.db
        .insert(emailMessages)
        .values({ inboxId: inbox.id, conversationId: out.conversationId, messageId: out.message.id, rfcMessageId: messageId, direction: 'out', subject, addressSealed: lastIn.addressSealed })
        .onConflictDoNothing();
      return { externalId: messageId };
    },
  };
}
