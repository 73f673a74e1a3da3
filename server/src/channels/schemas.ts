// The channels' HTTP payloads: validated with these, and the OpenAPI document (/api/docs) is generated
// from the same schemas.
import { z } from 'zod';
import { CONVERSATION_CHANNELS, DELIVERY_STATES, ERROR_CODES } from '@helpline/shared';
import { messageBody, uuid } from '../conversations/schemas.js';
import type { Checked, Same } from '../http/validate.js';
import type { FailedDelivery, InboxView } from '@helpline/shared';
import { emailInboxView, emailSettingsEdit, emailSettingsSchema } from './email/schemas.js';

/** An outside system's own ids: opaque to us, printable, bounded. */
const externalId = z.string().trim().min(1).max(200).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');

export const apiMessageSchema = z
  .object({
    contactId: externalId.describe('The integrator\'s own id of the person writing; kept only as a keyed hash'),
    messageId: externalId.describe('The integrator\'s own id of this message: the same id again is the same message'),
    text: messageBody.describe('What the person wrote'),
  })
  .strict()
  .describe('A message of a contact, posted by the integrator. Signed: X-Helpline-Timestamp (Unix seconds) and X-Helpline-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>');

export const apiMessageAccepted = z
  .object({
    conversationId: uuid,
    messageId: uuid,
    duplicate: z.boolean().describe('True when this messageId was received before: nothing new was stored'),
  })
  .describe('Stored (or stored before): replies come to the inbox\'s webhook with this conversationId');

export const errorBody = z.object({
  error: z.object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    retryable: z.boolean().optional(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export const inboxParams = z.object({ inbox: uuid.describe('The API inbox\'s id') });
export const idParams = z.object({ id: uuid });

const webhookUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .describe('Where staff replies and conversation events are POSTed, signed like inbound requests');

export const inboxCreateSchema = z.discriminatedUnion('channel', [
  z.object({ channel: z.literal('api'), name: z.string().trim().min(1).max(100), webhookUrl: webhookUrl.nullable().optional() }).strict(),
  z.object({ channel: z.literal('email'), name: z.string().trim().min(1).max(100), email: emailSettingsSchema }).strict(),
]);
export const inboxEditSchema = z
  .object({ name: z.string().trim().min(1).max(100).optional(), enabled: z.boolean().optional(), webhookUrl: webhookUrl.nullable().optional(), email: emailSettingsEdit.optional() })
  .strict();

export const inboxView = z.object({
  id: uuid,
  channel: z.enum(CONVERSATION_CHANNELS),
  name: z.string(),
  enabled: z.boolean(),
  webhookUrl: z.string().nullable(),
  createdAt: z.string(),
  email: emailInboxView.nullable(),
});
export const inboxCreated = z.object({ inbox: inboxView, secret: z.string().nullable().describe('Shown this once: keep it in the integrating system (null for an e-mail inbox: its passwords are never shown back)') });

export const failedDelivery = z.object({
  id: uuid,
  kind: z.enum(['message.created', 'conversation.ended']),
  conversationId: uuid,
  messageId: uuid.nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  updatedAt: z.string(),
});
export const deliveryState = z.enum(DELIVERY_STATES);

// The schemas describe exactly the shared answer types (checked by the compiler).
type _inbox = Checked<Same<z.output<typeof inboxView>, InboxView>>;
type _failed = Checked<Same<z.output<typeof failedDelivery>, FailedDelivery>>;
