// An e-mail inbox's settings: what is not secret lives in the inbox's public configuration (strings),
// the two passwords in its sealed secret as one JSON object (channels/crypto.ts), never shown back.
import { z } from 'zod';
import { LANGUAGES, type EmailInboxView } from '@helpline/shared';
import type { OpenInbox } from '../inboxes.js';

/** The settings the admin sees (the shared view), without how receiving goes. */
export type EmailSettings = Omit<EmailInboxView, 'receiveError' | 'receiveErrorAt' | 'lastReceivedAt'>;
export interface EmailSecrets {
  imapPassword: string;
  smtpPassword: string;
}

const host = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/, 'a host name or address');
const port = z.coerce.number().int().min(1).max(65535);
const user = z.string().trim().min(1).max(320);
const password = z.string().min(1).max(1000);

const fields = {
  purpose: z.enum(['helpline', 'hotline']).describe('Helpline mail becomes conversations in the queue; hotline mail becomes reports'),
  language: z.enum(LANGUAGES).describe('The language of its conversations and automatic replies (when the mail does not show its own)'),
  imapHost: host,
  imapPort: port,
  imapTls: z.boolean().describe('TLS from the start (993); false: plain, upgraded by STARTTLS when the server offers it'),
  imapUser: user,
  imapPassword: password,
  smtpHost: host,
  smtpPort: port,
  smtpTls: z.boolean().describe('TLS from the start (465); false: STARTTLS when offered (587)'),
  smtpUser: user,
  smtpPassword: password,
  fromAddress: z.email().max(320).describe("The centre's address its answers come from"),
  signature: z.string().max(2000),
};

export const emailSettingsSchema = z
  .object({
    ...fields,
    purpose: fields.purpose.default('helpline'),
    language: fields.language.default('en'),
    imapPort: fields.imapPort.default(993),
    imapTls: fields.imapTls.default(true),
    smtpPort: fields.smtpPort.default(465),
    smtpTls: fields.smtpTls.default(true),
    signature: fields.signature.default(''),
  })
  .strict();
/** An edit names only what changes (no defaults filled in); a password left out stays as it was. */
export const emailSettingsEdit = z.object(fields).partial().strict();
export type EmailSettingsInput = z.output<typeof emailSettingsSchema>;

const KEYS = ['purpose', 'language', 'imapHost', 'imapPort', 'imapTls', 'imapUser', 'smtpHost', 'smtpPort', 'smtpTls', 'smtpUser', 'fromAddress', 'signature'] as const;

/** The public part, as the inbox's configuration stores it (strings). */
export function toConfig(s: Partial<EmailSettingsInput>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of KEYS) if (s[k] !== undefined) out[k] = String(s[k]);
  return out;
}

export function settingsOf(config: Record<string, string>): EmailSettings {
  const lang = LANGUAGES.find((l) => l === config.language) ?? 'en';
  return {
    purpose: config.purpose === 'hotline' ? 'hotline' : 'helpline',
    language: lang,
    imapHost: config.imapHost ?? '',
    imapPort: Number(config.imapPort ?? 993),
    imapTls: config.imapTls !== 'false',
    imapUser: config.imapUser ?? '',
    smtpHost: config.smtpHost ?? '',
    smtpPort: Number(config.smtpPort ?? 465),
    smtpTls: config.smtpTls !== 'false',
    smtpUser: config.smtpUser ?? '',
    fromAddress: config.fromAddress ?? '',
    signature: config.signature ?? '',
  };
}

export function secretsOf(inbox: Pick<OpenInbox, 'secret'>): EmailSecrets {
  try {
    const s = JSON.parse(inbox.secret) as Partial<EmailSecrets>;
    return { imapPassword: s.imapPassword ?? '', smtpPassword: s.smtpPassword ?? '' };
  } catch {
    return { imapPassword: '', smtpPassword: '' };
  }
}

export const sealable = (s: EmailSecrets) => JSON.stringify({ imapPassword: s.imapPassword, smtpPassword: s.smtpPassword });

export type EmailView = EmailInboxView;
