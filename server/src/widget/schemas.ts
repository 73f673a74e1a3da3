// Payload schemas of the widget's public endpoints and of the staff side of offline messages.
import { z } from 'zod';
import { AGE_GROUPS, LANGUAGES, LIMITS, TOPICS } from '@helpline/shared';
import { messageBody } from '../conversations/schemas.js';

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
    status: z.enum(['new', 'answered']).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();
