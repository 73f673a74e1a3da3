// The channels' keys, derived from the server's secret (infra/secret.ts): contact hashes and the
// sealing of inbox secrets. And the request signature shared by the API inbox and its webhook.
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { deriveKey } from '../infra/secret.js';

export interface ChannelKeys {
  /** Keyed hash of a channel's own user id, per inbox: the same person in two inboxes is two contacts. */
  contactHash(inboxId: string, externalUserId: string): string;
  seal(plain: string): string;
  open(sealed: string): string;
}

export function createChannelKeys(secret: string): ChannelKeys {
  const hashKey = deriveKey(secret, 'helpline contact hashes');
  const sealKey = deriveKey(secret, 'helpline inbox secrets');
  return {
    contactHash: (inboxId, externalUserId) => createHmac('sha256', hashKey).update(`${inboxId}\u0000${externalUserId}`).digest('hex'),
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', sealKey, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return ['v1', iv.toString('base64url'), c.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
    },
    open(sealed) {
      const [v, iv, tag, body] = sealed.split('.');
      if (v !== 'v1' || !iv || !tag || body === undefined) throw new Error('unknown sealed secret format');
      const d = createDecipheriv('aes-256-gcm', sealKey, Buffer.from(iv, 'base64url'));
      d.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([d.update(Buffer.from(body, 'base64url')), d.final()]).toString('utf8');
    },
  };
}

export const TIMESTAMP_HEADER = 'x-helpline-timestamp';
export const SIGNATURE_HEADER = 'x-helpline-signature';
/** Requests whose timestamp is further than this from the server's clock are refused (replays). */
export const MAX_SKEW_SECONDS = 300;

/** `sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>` */
export function sign(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

/** Constant-time comparison of a received signature with the expected one. */
export function signatureMatches(secret: string, timestamp: string, rawBody: string | Buffer, received: string): boolean {
  const expected = Buffer.from(sign(secret, timestamp, rawBody));
  const got = Buffer.from(received);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
