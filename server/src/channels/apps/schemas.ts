// The admin's payloads for the messaging apps (validated with these; /api/docs is generated from them).
import { z } from 'zod';
import { APP_CHANNELS, type AppConnectionCheck, type AppInboxConnect } from '@helpline/shared';
import type { Checked, Same } from '../../http/validate.js';

const name = z.string().trim().min(1).max(100);
/** Tokens are opaque: printable, bounded. */
const token = (what: string) => z.string().trim().min(8).max(1000).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces').describe(what);

export const appInboxCreateSchema = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('viber'), name, authToken: token('The bot\'s authentication token (Viber Admin Panel)') }).strict(),
  z.object({ channel: z.literal('telegram'), name, botToken: z.string().trim().regex(/^\d{1,20}:[A-Za-z0-9_-]{20,200}$/, 'a token from @BotFather').describe('The bot token from @BotFather') }).strict(),
  z.object({ channel: z.literal('messenger'), name, accessToken: token('The Page access token'), appSecret: token('The Meta app\'s secret (signs the webhooks)') }).strict(),
  z.object({ channel: z.literal('instagram'), name, accessToken: token('The access token of the Page connected to the Instagram account'), appSecret: token('The Meta app\'s secret (signs the webhooks)') }).strict(),
  z
    .object({
      channel: z.literal('whatsapp'),
      name,
      accessToken: token('A system user\'s access token with whatsapp_business_messaging'),
      appSecret: token('The Meta app\'s secret (signs the webhooks)'),
      phoneNumberId: z.string().trim().regex(/^\d{1,30}$/).describe('The business phone number\'s id (WhatsApp Manager)'),
    })
    .strict(),
]);
export type AppInboxCreate = z.output<typeof appInboxCreateSchema>;

export const appInboxConnect = z.object({
  channel: z.enum(APP_CHANNELS),
  webhookUrl: z.string(),
  verifyToken: z.string().nullable(),
  phoneNumberId: z.string().nullable(),
});

export const appConnectionCheck = z.union([
  z.object({ ok: z.literal(true), accountName: z.string(), accountId: z.string() }),
  z.object({ ok: z.literal(false), problem: z.enum(['bad_credentials', 'unreachable', 'app_error']), detail: z.string() }),
]);

type _connect = Checked<Same<z.output<typeof appInboxConnect>, AppInboxConnect>>;
type _check = Checked<Same<z.output<typeof appConnectionCheck>, AppConnectionCheck>>;
