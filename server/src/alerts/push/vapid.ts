// The VAPID key pair (RFC 8292) that signs every push, so push services know the pushes are the
// centre's. From VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY (several instances must share one pair); on the
// embedded default, DATA_DIR/vapid.json, generated on first start with 0600 permissions like the
// server secret (infra/secret.ts). With DATABASE_URL and no keys, push is off: a browser subscribed
// with one key cannot be reached with another, so a key must never change by accident.
import { createECDH } from 'node:crypto';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import webpush from 'web-push';
import { ConfigError, type Config } from '../../config.js';
import type { DataDirOwner } from '../../infra/data-dir.js';

export const VAPID_FILE = 'vapid.json';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  subject: string;
}

/** The public key of a private one (base64url, uncompressed point), to check that a pair belongs together. */
export function publicKeyOf(privateKey: string): string {
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(Buffer.from(privateKey, 'base64url'));
  return ecdh.getPublicKey().toString('base64url');
}

function checkPair(publicKey: string, privateKey: string, where: string): void {
  let derived = '';
  try {
    derived = publicKeyOf(privateKey);
  } catch {
    throw new ConfigError([`${where}: the VAPID private key is not a P-256 key`]);
  }
  if (derived !== publicKey) throw new ConfigError([`${where}: VAPID_PUBLIC_KEY is not the public key of VAPID_PRIVATE_KEY`]);
}

export async function resolveVapidKeys(config: Pick<Config, 'VAPID_PUBLIC_KEY' | 'VAPID_PRIVATE_KEY' | 'VAPID_SUBJECT' | 'publicUrl' | 'embedded'>, owner: DataDirOwner | null): Promise<VapidKeys | null> {
  const subject = config.VAPID_SUBJECT ?? (config.publicUrl.startsWith('https:') ? config.publicUrl : 'mailto:webpush@localhost');
  const { VAPID_PUBLIC_KEY: pub, VAPID_PRIVATE_KEY: priv } = config;
  if (pub || priv) {
    if (!pub || !priv) throw new ConfigError(['VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: set both or neither']);
    checkPair(pub, priv, 'VAPID keys');
    return { publicKey: pub, privateKey: priv, subject };
  }
  if (!config.embedded.postgres || !owner) return null;
  const file = path.join(owner.dir, VAPID_FILE);
  try {
    // 'wx': never overwrite the keys of an existing folder (every subscription depends on them).
    await writeFile(file, JSON.stringify(webpush.generateVAPIDKeys()) + '\n', { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (((await stat(file)).mode & 0o077) !== 0) await chmod(file, 0o600);
  const stored = JSON.parse(await readFile(file, 'utf8')) as { publicKey?: unknown; privateKey?: unknown };
  if (typeof stored.publicKey !== 'string' || typeof stored.privateKey !== 'string') throw new ConfigError([`${file}: not a VAPID key pair`]);
  checkPair(stored.publicKey, stored.privateKey, file);
  return { publicKey: stored.publicKey, privateKey: stored.privateKey, subject };
}
