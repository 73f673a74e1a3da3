// Feedback e-mails to reporters who left an address. The text names the reference and what was done,
// never the reported URLs or anything the reporter wrote.
import nodemailer from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import { matchLanguageTag, toSerbianLatin, type HotlineStatus, type Language } from '@helpline/shared';

export interface Mailer {
  send(to: string, subject: string, text: string): Promise<boolean>;
}

export function createMailer(smtpUrl: string | undefined, from: string, log: FastifyBaseLogger): Mailer | null {
  if (!smtpUrl) return null;
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    async send(to, subject, text) {
      try {
        await transport.sendMail({ from, to, subject, text, textEncoding: 'base64' });
        return true;
      } catch (err) {
        log.warn({ err: { name: (err as Error).name, code: (err as { code?: string }).code } }, 'hotline feedback e-mail failed');
        return false;
      }
    },
  };
}

interface MailText {
  subject: (r: string) => string;
  body: Record<'forwarded' | 'content_removed' | 'closed', string>;
  sign: string;
}

const BASE: Record<Exclude<Language, 'sr-Latn'>, MailText> = {
  en: {
    subject: (r) => `Your report ${r}`,
    body: {
      forwarded: 'Thank you for your report. We assessed it and forwarded it to the competent authorities (the police, the hotline of the hosting country or the hosting provider).',
      content_removed: 'Thank you for your report. The content you reported has been removed.',
      closed: 'Thank you for your report. We assessed it and closed it. If the content was not illegal in our assessment, no further action was taken.',
    },
    sign: 'The hotline team',
  },
  bg: {
    subject: (r) => `Вашият сигнал ${r}`,
    body: {
      forwarded: 'Благодарим за сигнала. Оценихме го и го препратихме към компетентните органи (полицията, горещата линия на държавата на хостинга или хостинг доставчика).',
      content_removed: 'Благодарим за сигнала. Съдържанието, за което сигнализирахте, е премахнато.',
      closed: 'Благодарим за сигнала. Оценихме го и го приключихме. Ако според нашата оценка съдържанието не е незаконно, не са предприети други действия.',
    },
    sign: 'Екипът на горещата линия',
  },
  'sr-Cyrl': {
    subject: (r) => `Ваша пријава ${r}`,
    body: {
      forwarded: 'Хвала на пријави. Проценили смо је и проследили надлежним органима (полицији, линији за пријаву у држави хостинга или хостинг провајдеру).',
      content_removed: 'Хвала на пријави. Садржај који сте пријавили је уклоњен.',
      closed: 'Хвала на пријави. Проценили смо је и затворили. Ако по нашој процени садржај није незаконит, друге радње нису предузете.',
    },
    sign: 'Тим линије за пријаву садржаја',
  },
};

const TEXT: Record<Language, MailText> = {
  ...BASE,
  'sr-Latn': {
    subject: (r) => toSerbianLatin(BASE['sr-Cyrl'].subject(r)),
    body: {
      forwarded: toSerbianLatin(BASE['sr-Cyrl'].body.forwarded),
      content_removed: toSerbianLatin(BASE['sr-Cyrl'].body.content_removed),
      closed: toSerbianLatin(BASE['sr-Cyrl'].body.closed),
    },
    sign: toSerbianLatin(BASE['sr-Cyrl'].sign),
  },
};

export function feedbackMail(reference: string, status: HotlineStatus, language: string | null): { subject: string; text: string } | null {
  if (status !== 'forwarded' && status !== 'content_removed' && status !== 'closed') return null;
  const t = TEXT[matchLanguageTag(language) ?? 'en'];
  return { subject: t.subject(reference), text: `${t.body[status]}\n\n${reference}\n\n${t.sign}\n` };
}
