// The e-mail channel's HTTP payloads (OpenAPI is generated from them).
import { z } from 'zod';
import { EMAIL_CONNECTION_ERRORS, LANGUAGES } from '@helpline/shared';
import type { EmailConnectionTest, EmailInboxView, EmailThreadView } from '@helpline/shared';
import type { Checked, Same } from '../../http/validate.js';
export { emailSettingsEdit, emailSettingsSchema } from './settings.js';

export const emailInboxView = z.object({
  purpose: z.enum(['helpline', 'hotline']),
  language: z.enum(LANGUAGES),
  imapHost: z.string(),
  imapPort: z.number().int(),
  imapTls: z.boolean(),
  imapUser: z.string(),
  smtpHost: z.string(),
  smtpPort: z.number().int(),
  smtpTls: z.boolean(),
  smtpUser: z.string(),
  fromAddress: z.string(),
  signature: z.string(),
  receiveError: z.enum(EMAIL_CONNECTION_ERRORS).nullable(),
  receiveErrorAt: z.string().nullable(),
  lastReceivedAt: z.string().nullable(),
});

const side = z.object({ ok: z.boolean(), error: z.enum(EMAIL_CONNECTION_ERRORS).nullable(), detail: z.string().nullable() });
export const connectionTest = z.object({ imap: side, smtp: side });

export const emailThreadView = z.object({
  subject: z.string().nullable(),
  maskedFrom: z.string(),
  authentication: z.object({ spf: z.string().nullable(), dkim: z.string().nullable(), dmarc: z.string().nullable(), raw: z.string().nullable() }),
  attachments: z.array(z.string()),
  dropped: z.number().int(),
});

type _view = Checked<Same<z.output<typeof emailInboxView>, EmailInboxView>>;
type _test = Checked<Same<z.output<typeof connectionTest>, EmailConnectionTest>>;
type _thread = Checked<Same<z.output<typeof emailThreadView>, EmailThreadView>>;
