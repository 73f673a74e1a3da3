// The push payloads, defined once: the routes parse with them, shared/ declares the same types.
import { createECDH } from 'node:crypto';
import { z } from 'zod';
import { LANGUAGES, PUSH_LIMITS, type PushSubscribeInput, type PushUnsubscribeInput } from '@helpline/shared';
import type { Checked, SchemaAccepts } from '../../http/validate.js';

const b64url = (bytes: number, what: string) =>
  z
    .string()
    .max(Math.ceil((bytes * 4) / 3) + 2)
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'must be base64url')
    .refine((s) => Buffer.from(s, 'base64url').length === bytes, `must be ${what}`);

/** A point on P-256, or the push could not be encrypted to it (computeSecret refuses a point off the curve). */
const onCurve = (s: string) => {
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.generateKeys();
    ecdh.computeSecret(Buffer.from(s, 'base64url'));
    return true;
  } catch {
    return false;
  }
};

const endpoint = z.string().max(PUSH_LIMITS.endpointMaxChars).pipe(z.url());

export const pushSubscribeSchema = z
  .object({
    endpoint,
    keys: z.object({ p256dh: b64url(65, 'an uncompressed P-256 public key (65 bytes)').refine(onCurve, 'must be a point on P-256'), auth: b64url(16, '16 bytes') }).strip(),
    expirationTime: z.number().nullable().optional(),
    language: z.enum(LANGUAGES),
  })
  .strict();

export const pushUnsubscribeSchema = z.object({ endpoint, auth: b64url(16, '16 bytes') }).strict();

export type PushSubscribeChecked = Checked<SchemaAccepts<typeof pushSubscribeSchema, PushSubscribeInput>>;
export type PushUnsubscribeChecked = Checked<SchemaAccepts<typeof pushUnsubscribeSchema, PushUnsubscribeInput>>;
