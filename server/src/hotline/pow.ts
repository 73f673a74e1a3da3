// A cheap proof-of-work instead of a CAPTCHA service: the page asks for a one-time challenge and the
// browser searches a nonce whose SHA-256 starts with `bits` zero bits (about 2^bits hashes). A person
// filing one report does not notice; a script filing thousands pays for each one.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError } from '../http/errors.js';

const TTL_S = 15 * 60;

export function leadingZeroBits(hash: Buffer): number {
  let n = 0;
  for (const byte of hash) {
    if (byte === 0) {
      n += 8;
      continue;
    }
    n += Math.clz32(byte) - 24;
    break;
  }
  return n;
}

export function powHash(challenge: string, nonce: string): Buffer {
  return createHash('sha256').update(`${challenge}:${nonce}`).digest();
}

/** Search a nonce (tests and non-browser clients). */
export function solvePow(challenge: string, bits: number): string {
  for (let i = 0; ; i++) if (leadingZeroBits(powHash(challenge, String(i))) >= bits) return String(i);
}

export function createPow(redis: Redis, prefix: string, bits: number) {
  const key = (c: string) => `${prefix}:hotline:pow:${c}`;
  return {
    bits,
    async issue(): Promise<{ challenge: string; bits: number }> {
      const challenge = randomBytes(16).toString('hex');
      try {
        await redis.set(key(challenge), '1', 'EX', TTL_S);
      } catch {
        // Without Redis the challenge is still checked for work, only not for single use.
      }
      return { challenge, bits };
    },
    /** Throws unless the work is done and the challenge unused; consumes it. */
    async verify(pow: { challenge: string; nonce: string }): Promise<void> {
      if (!/^[0-9a-f]{32}$/.test(pow.challenge)) throw new AppError('invalid_payload', 'Invalid or expired form challenge: reload the page', { fields: [{ path: 'pow', message: 'invalid' }] });
      if (leadingZeroBits(powHash(pow.challenge, pow.nonce)) < bits) {
        throw new AppError('invalid_payload', 'The form check failed: reload the page', { fields: [{ path: 'pow', message: 'insufficient work' }] });
      }
      let fresh = 1;
      try {
        fresh = await redis.del(key(pow.challenge));
      } catch {
        fresh = 1;
      }
      if (fresh !== 1) throw new AppError('invalid_payload', 'Invalid or expired form challenge: reload the page', { fields: [{ path: 'pow', message: 'expired or used' }] });
    },
  };
}
export type Pow = ReturnType<typeof createPow>;
