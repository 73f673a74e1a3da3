// The server's secret key, and the keyed hashes of codes people type back (return codes, hotline
// pick-up codes). Those codes are looked up by their hash, so they cannot be hashed with a salt, and a
// plain hash of ~50 bits can be reversed by trying every code against a copy of the database. Keyed
// with a secret that does not live in the database, the copy alone is not enough.
//
// Where the secret comes from: SERVER_SECRET (several instances must share it, so with DATABASE_URL it
// is required); on the embedded default, DATA_DIR/secret, generated on first start with 0600
// permissions. Not Postgres: a key stored beside the hashes would protect nothing.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError, type Config } from '../config.js';
import type { DataDirOwner } from './data-dir.js';

export const SECRET_FILE = 'secret';
const MIN_LENGTH = 32;

/** `owner`: the embedded default's data folder, held by this process (infra/data-dir.ts). */
export async function resolveServerSecret(config: Pick<Config, 'SERVER_SECRET' | 'embedded'>, owner: DataDirOwner | null): Promise<string> {
  if (config.SERVER_SECRET) return config.SERVER_SECRET;
  if (!config.embedded.postgres || !owner) {
    throw new ConfigError([
      'SERVER_SECRET: required when DATABASE_URL is set (every instance must use the same one, at least 32 characters; e.g. `openssl rand -hex 32`)',
    ]);
  }
  const file = path.join(owner.dir, SECRET_FILE);
  try {
    // 'wx': never overwrite the secret of an existing folder.
    await writeFile(file, randomBytes(32).toString('hex') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  const secret = (await readFile(file, 'utf8')).trim();
  if (secret.length < MIN_LENGTH) throw new ConfigError([`${file}: the secret there is shorter than ${MIN_LENGTH} characters`]);
  return secret;
}

/** Keyed hashes as stored: `hmac:` and HMAC-SHA256 in hex; rows without the prefix are the legacy SHA-256. */
export interface CodeHasher {
  keyed(purpose: CodePurpose, canonicalCode: string): string;
  isKeyed(stored: string): boolean;
}
export type CodePurpose = 'return-code' | 'hotline-pickup';

const PREFIX = 'hmac:';

/** A key of its own for each purpose, so that no key derived from the secret is used for two things. */
export const deriveKey = (secret: string, purpose: string): Buffer => createHmac('sha256', secret).update(purpose).digest();

export function createCodeHasher(secret: string): CodeHasher {
  const key = deriveKey(secret, 'helpline code hashes');
  return {
    keyed: (purpose, code) => PREFIX + createHmac('sha256', key).update(`${purpose}:${code}`).digest('hex'),
    isKeyed: (stored) => stored.startsWith(PREFIX),
  };
}

/** The plain SHA-256 of earlier versions, for rows stored before the keyed hash. */
export const legacySha256 = (s: string) => createHash('sha256').update(s).digest('hex');
