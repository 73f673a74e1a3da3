// Admin payloads: staff accounts and each settings key. Defined once, used by the routes and tests.
import { z } from 'zod';
import { CONVERSATION_CHANNELS, LANGUAGES, STAFF_ROLES, TOPICS } from '@helpline/shared';

const name = z.string().trim().min(1).max(100);
export const staffCreateSchema = z
  .object({
    email: z.email().max(254),
    name,
    role: z.enum(STAFF_ROLES),
    password: z.string().min(10).max(200),
    languages: z.array(z.enum(LANGUAGES)).max(LANGUAGES.length).optional(),
    topics: z.array(z.enum(TOPICS)).max(TOPICS.length).optional(),
    capacity: z.number().int().min(1).max(20).optional(),
  })
  .strict();

export const staffEditSchema = z
  .object({
    name: name.optional(),
    role: z.enum(STAFF_ROLES).optional(),
    languages: z.array(z.enum(LANGUAGES)).max(LANGUAGES.length).optional(),
    topics: z.array(z.enum(TOPICS)).max(TOPICS.length).optional(),
    capacity: z.number().int().min(1).max(20).optional(),
    disabled: z.boolean().optional(),
    /** A new password: the account is signed out everywhere. */
    password: z.string().min(10).max(200).optional(),
  })
  .strict();

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
const origin = z
  .string()
  .max(200)
  .refine((s) => {
    try {
      const u = new URL(s);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s;
    } catch {
      return false;
    }
  }, 'an origin such as https://www.example.org');
const timeZone = z.string().max(64).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone');
const httpsUrl = z.url().max(500).refine((s) => /^https?:\/\//.test(s), 'an http(s) URL');

/** One schema per settings key; a PUT replaces the fields it names. */
export const settingsSchemas = {
  widget: z
    .object({
      centreName: z.string().trim().min(1).max(100),
      primaryColor: z.string().regex(/^#[0-9a-fA-F]{6}$/, '#RRGGBB'),
      phoneLine: z.string().max(40),
      email: z.string().max(254),
      hoursText: z.string().max(200),
      exitUrl: httpsUrl,
      languages: z.array(z.enum(LANGUAGES)).min(1).max(LANGUAGES.length),
      defaultLanguage: z.enum(LANGUAGES),
      allowedOrigins: z.array(origin).max(50),
    })
    .partial()
    .strict(),
  hours: z
    .object({
      timeZone,
      // The whole week is replaced: a day left out is closed.
      weekly: z.partialRecord(z.enum(['0', '1', '2', '3', '4', '5', '6']), z.array(z.tuple([hhmm, hhmm])).max(6)),
      holidays: z.array(isoDate).max(366),
      enforced: z.boolean(),
    })
    .partial()
    .strict(),
  riskWords: z.record(z.string().min(1).max(20), z.array(z.string().trim().min(2).max(80)).max(500)),
  serviceLevel: z
    .object({
      targetSeconds: z.number().int().min(5).max(3600),
      urgentAlertSeconds: z.number().int().min(5).max(3600),
      longWaitAlertSeconds: z.number().int().min(10).max(86_400),
    })
    .partial()
    .strict(),
  // At least one day: the purge treats every number as a period (there is no "keep forever").
  retention: z
    .object({
      transcriptDays: z.number().int().min(1).max(3650),
      caseRecordDays: z.number().int().min(1).max(3650),
      hotlineReportDays: z.number().int().min(1).max(3650),
      auditDays: z.number().int().min(1).max(3650),
    })
    .partial()
    .strict(),
  surge: z.object({ leaveMessageOnly: z.boolean() }).partial().strict(),
  // Set by a centre profile, editable after.
  hotlineRouting: z
    .object({
      countryCode: z.string().regex(/^([A-Z]{2})?$/, 'two capital letters or empty'),
      policeUnit: z.string().trim().max(200),
      nationalMemberCode: z.string().max(60),
    })
    .partial()
    .strict(),
  channelWeights: z.partialRecord(z.enum(CONVERSATION_CHANNELS), z.number().int().min(1).max(100)),
  channelTargets: z.partialRecord(z.enum(CONVERSATION_CHANNELS), z.number().int().min(5).max(7 * 86_400)),
} as const;
export type AdminSettingsKey = keyof typeof settingsSchemas;
export const ADMIN_SETTINGS_KEYS = Object.keys(settingsSchemas) as AdminSettingsKey[];
