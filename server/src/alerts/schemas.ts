// The alert payloads, defined once: the routes parse with them, shared/ declares the same types.
import { z } from 'zod';
import { ALERT_LIMITS, ALERT_SEVERITIES, LANGUAGES, type AlertInput } from '@helpline/shared';
import type { Checked, SchemaAccepts } from '../http/validate.js';

// Characters XML 1.0 cannot carry (the Atom feed) and lone surrogates are refused, not silently dropped.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const plain = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine((s) => !CONTROL.test(s), 'control characters are not allowed');

export const alertTextSchema = z.object({ title: plain(ALERT_LIMITS.titleMaxChars), text: plain(ALERT_LIMITS.textMaxChars), advice: plain(ALERT_LIMITS.adviceMaxChars) }).strict();

export const alertInputSchema = z
  .object({
    severity: z.enum(ALERT_SEVERITIES),
    expiresAt: z.iso.datetime({ offset: true }),
    texts: z.partialRecord(z.enum(LANGUAGES), alertTextSchema).refine((t) => Object.keys(t).length > 0, 'write the alert in at least one language'),
  })
  .strict();

export const feedQuerySchema = z.object({ lang: z.string().max(35).optional() });

export type AlertInputChecked = Checked<SchemaAccepts<typeof alertInputSchema, AlertInput>>;
