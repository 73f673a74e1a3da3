// Payload schemas of the widget's public endpoints and of the staff side of offline messages.
import { z } from 'zod';
import { AGE_GROUPS, LANGUAGES, LIMITS, OFFLINE_MESSAGE_STATES, TOPICS } from '@helpline/shared';
import { messageBody } from '../conversations/schemas.js';
import type { OfflineMessageRequest, OfflineMessageStatusRequest, AnswerOfflineMessageRequest } from '@helpline/shared';
import type { Checked, SchemaAccepts } from '../http/validate.js';

export const offlineMessageSchema = z
  .object({
    body: messageBody,
    language: z.enum(LANGUAGES).optional(),
    ageGroup: z.enum(AGE_GROUPS).optional(),
    topic: z.enum(TOPICS).optional(),
  })
  .strict();

export const offlineStatusSchema = z
  .object({
    reference: z.string().min(1).max(40),
    pickupCode: z.string().min(1).max(40),
  })
  .strict();

export const answerSchema = z
  .object({
    answer: z
      .string()
      .max(LIMITS.messageMaxChars)
      .transform((s) => s.trim())
      .pipe(z.string().min(1, 'empty answer')),
  })
  .strict();

export const listQuerySchema = z
  .object({
    /** 'open' (default): new and claimed; 'all': every state. */
    state: z.enum(['open', ...OFFLINE_MESSAGE_STATES, 'all']).optional(),
    /** 'mine' (default): the staff member's languages and messages with none; 'all': every language. */
    languages: z.enum(['mine', 'all']).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

// The request types of shared/ are the ones these schemas accept (checked by the compiler).
export type OfflineMessageRequestChecked = Checked<SchemaAccepts<typeof offlineMessageSchema, OfflineMessageRequest>>;
export type OfflineMessageStatusRequestChecked = Checked<SchemaAccepts<typeof offlineStatusSchema, OfflineMessageStatusRequest>>;
export type AnswerOfflineMessageRequestChecked = Checked<SchemaAccepts<typeof answerSchema, AnswerOfflineMessageRequest>>;
