// Payload schemas of the hotline, used by the public form, the console and the escalation route.
import { z } from 'zod';
import {
  HOTLINE_ACTION_KINDS,
  HOTLINE_CLASSIFICATIONS,
  HOTLINE_CONTENT_TYPES,
  HOTLINE_LIMITS,
  HOTLINE_SITE_TYPES,
  HOTLINE_STATUSES,
  HOTLINE_VICTIM_AGES,
  HOTLINE_VICTIM_GENDERS,
  LANGUAGES,
} from '@helpline/shared';
import { AppError } from '../http/errors.js';
import { checkReportedUrl } from './normalize.js';
import type { HotlineReportInput, HotlineEscalationInput, HotlineAssessmentInput, HotlineActionInput, HotlineClaimInput, HotlineApplyEarlierInput } from '@helpline/shared';
import type { Checked, SchemaAccepts } from '../http/validate.js';

const cleanText = (max: number) =>
  z
    .string()
    .max(max, `at most ${max} characters`)
    .transform((s) => s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').trim());

const reportedUrl = z.string().superRefine((s, ctx) => {
  const c = checkReportedUrl(s);
  if (!c.ok) ctx.addIssue({ code: 'custom', message: c.reason });
});

export const urlList = z
  .array(reportedUrl)
  .min(1, 'at least one URL')
  .max(HOTLINE_LIMITS.maxUrls, `at most ${HOTLINE_LIMITS.maxUrls} URLs`);

export const reportInputSchema = z
  .object({
    urls: urlList,
    contentType: z.enum(HOTLINE_CONTENT_TYPES).optional(),
    whereFound: cleanText(HOTLINE_LIMITS.whereFoundMaxChars).optional(),
    description: cleanText(HOTLINE_LIMITS.descriptionMaxChars).optional(),
    email: z
      .string()
      .trim()
      .max(HOTLINE_LIMITS.emailMaxChars)
      .transform((s) => s || undefined)
      .pipe(z.email('not an e-mail address').optional())
      .optional(),
    language: z.enum(LANGUAGES).optional(),
    source: z.enum(['form', 'widget']).optional(),
    pow: z.object({ challenge: z.string().min(1).max(200), nonce: z.string().min(1).max(64) }).strict(),
    website: z.string().max(500).optional(),
  })
  .strict();

export const statusQuerySchema = z
  .object({
    reference: z.string().trim().toUpperCase().regex(/^HR-[0-9A-Z]{6}$/, 'not a reference'),
    pickupCode: z.string().trim().min(8).max(64),
  })
  .strict();

export const escalationSchema = z
  .object({
    urls: urlList,
    description: cleanText(HOTLINE_LIMITS.descriptionMaxChars).optional(),
  })
  .strict();

const country = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-Z]{2}$/, 'two-letter country code');

export const assessmentSchema = z
  .object({
    classification: z.enum(HOTLINE_CLASSIFICATIONS),
    victimAge: z.enum(HOTLINE_VICTIM_AGES).nullish(),
    victimGender: z.enum(HOTLINE_VICTIM_GENDERS).nullish(),
    siteType: z.enum(HOTLINE_SITE_TYPES).nullish(),
    hostingIp: z.union([z.ipv4(), z.ipv6()]).nullish(),
    hostingProvider: cleanText(200).nullish(),
    hostingCountry: country.nullish(),
  })
  .strict();

export const actionSchema = z
  .object({
    kind: z.enum(HOTLINE_ACTION_KINDS),
    receiver: cleanText(200).pipe(z.string().min(1)),
    countryCode: country.optional(),
    receiverRef: cleanText(200).optional(),
    sentAt: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();

export const actionUpdateSchema = z
  .object({ receiverRef: cleanText(200).optional(), sentAt: z.iso.datetime({ offset: true }).optional() })
  .strict();

export const applyEarlierSchema = z.object({ fromUrlId: z.uuid() }).strict();

export const claimSchema = z.object({ staffId: z.uuid().optional() }).strict();

export const decisionSchema = z.object({ approve: z.boolean() }).strict();

export const outcomeSchema = z.object({ removedAt: z.iso.datetime({ offset: true }).optional() }).strict();

export const statusChangeSchema = z.object({ status: z.enum(['in_assessment', 'closed'] as const) }).strict();

/** The analysts' queue and search: every filter optional, all of them together (AND). */
export const listQuerySchema = z
  .object({
    status: z.enum([...HOTLINE_STATUSES, 'open'] as const).optional(),
    /** A reference (or its start), a URL (matched by its de-duplication key) or a domain (and its subdomains). */
    q: z.string().trim().max(HOTLINE_LIMITS.urlMaxChars).optional(),
    /** Received on or after this day / on or before this day (UTC days, YYYY-MM-DD). */
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    /** Any of the report's URLs assessed as hosted in this country / with this classification. */
    hostingCountry: country.optional(),
    classification: z.enum([...HOTLINE_CLASSIFICATIONS, 'unassessed'] as const).optional(),
    /** Only reports whose notice to the provider is overdue (HOTLINE_TAKEDOWN_REMINDER_HOURS). */
    takedown: z.enum(['overdue']).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
  })
  .strict();
export type HotlineListQuery = z.infer<typeof listQuerySchema>;

export const periodQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    format: z.enum(['json', 'csv']).default('json'),
    lang: z.enum(LANGUAGES).optional(),
  })
  .strict();

/** Keys that mean someone tries to send a file; refused with a clear message rather than "unknown key". */
const FILE_KEYS = /^(file|files|image|images|upload|attachment|attachments|photo|video|data|blob|content)$/i;

export function refuseFiles(body: unknown): void {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    for (const k of Object.keys(body)) {
      if (FILE_KEYS.test(k)) throw new AppError('invalid_payload', 'Files are not accepted: report the address (URL) only', { fields: [{ path: k, message: 'files are not accepted' }] });
    }
    for (const v of Object.values(body)) {
      if (typeof v === 'string' && /^data:[a-z]+\/[a-z0-9.+-]+;base64,/i.test(v.trim())) {
        throw new AppError('invalid_payload', 'Files are not accepted: report the address (URL) only');
      }
    }
  }
}

// The request types of shared/ are the ones these schemas accept (checked by the compiler).
export type HotlineReportInputChecked = Checked<SchemaAccepts<typeof reportInputSchema, HotlineReportInput>>;
export type HotlineEscalationInputChecked = Checked<SchemaAccepts<typeof escalationSchema, HotlineEscalationInput>>;
export type HotlineAssessmentInputChecked = Checked<SchemaAccepts<typeof assessmentSchema, HotlineAssessmentInput>>;
export type HotlineActionInputChecked = Checked<SchemaAccepts<typeof actionSchema, HotlineActionInput>>;
export type HotlineClaimInputChecked = Checked<SchemaAccepts<typeof claimSchema, HotlineClaimInput>>;
export type HotlineApplyEarlierInputChecked = Checked<SchemaAccepts<typeof applyEarlierSchema, HotlineApplyEarlierInput>>;
