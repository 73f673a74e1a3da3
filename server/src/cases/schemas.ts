import { z } from 'zod';
import { AGE_GROUPS, CONTACT_TYPES, GENDERS, INSAFE_CATEGORIES, LIMITS, OUTCOMES, PLATFORMS, RISK_LEVELS } from '@helpline/shared';
import type { CaseRecordInput } from '@helpline/shared';
import type { Checked, SchemaAccepts } from '../http/validate.js';

/** The case record; required: who contacted, at least one category, a summary. */
export const caseRecordSchema = z
  .object({
    contactType: z.enum(CONTACT_TYPES),
    ageGroup: z.enum(AGE_GROUPS).optional(),
    gender: z.enum(GENDERS).optional(),
    categories: z.array(z.enum(INSAFE_CATEGORIES)).min(1, 'choose at least one category').max(INSAFE_CATEGORIES.length),
    platform: z.enum(PLATFORMS).optional(),
    riskLevel: z.enum(RISK_LEVELS).optional(),
    summary: z.string().trim().min(1, 'write a short summary').max(LIMITS.summaryMaxChars),
    outcome: z.enum(OUTCOMES).optional(),
  })
  .strict();

// The request types of shared/ are the ones these schemas accept (checked by the compiler).
export type CaseRecordInputChecked = Checked<SchemaAccepts<typeof caseRecordSchema, CaseRecordInput>>;
