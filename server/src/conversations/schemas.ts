// Payload schemas, defined once and used by socket handlers and HTTP routes alike.
import { z } from 'zod';
import { AGE_GROUPS, LANGUAGES, LIMITS, TOPICS } from '@helpline/shared';

export const uuid = z.uuid();
const empty = z.object({}).strict();
export const emptySchema = empty;

export const startSchema = z
  .object({
    language: z.enum(LANGUAGES).optional(),
    ageGroup: z.enum(AGE_GROUPS).optional(),
    topic: z.enum(TOPICS).optional(),
  })
  .strict();

export const resumeSchema = z.object({ afterSeq: z.number().int().min(0).max(1e9) }).strict();

/** Message text: trimmed, non-empty, limited; control characters other than newline/tab removed. */
export const messageBody = z
  .string()
  .max(LIMITS.messageMaxChars, `at most ${LIMITS.messageMaxChars} characters`)
  .transform((s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim())
  .pipe(z.string().min(1, 'empty message'));

export const sendSchema = z
  .object({
    conversationId: uuid,
    clientMsgId: z.string().min(1).max(LIMITS.clientMsgIdMaxChars).regex(/^[A-Za-z0-9_:.-]+$/),
    body: messageBody,
  })
  .strict();

export const typingSchema = z.object({ conversationId: uuid, typing: z.boolean() }).strict();
export const readSchema = z.object({ conversationId: uuid, seq: z.number().int().min(0).max(1e9) }).strict();
export const conversationRefSchema = z.object({ conversationId: uuid }).strict();
export const historySchema = z.object({ conversationId: uuid, afterSeq: z.number().int().min(0).max(1e9) }).strict();
