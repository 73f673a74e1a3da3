// A stand-in for a browser's push service (RFC 8030), for tests: it hands out subscriptions the way a
// browser's PushManager would (a P-256 key pair and an auth secret of its own per subscription, an
// endpoint on this server), and for each push it receives it checks the VAPID JWT (RFC 8292: ES256,
// aud, exp, sub, and the `k` key) and DECRYPTS the aes128gcm body (RFC 8188 framing, RFC 8291 keys)
// with that subscription's private key. Written from the RFCs with node:crypto only, so that nothing
// of web-push (which encrypts on the server) checks itself.
import { createECDH, createDecipheriv, createPublicKey, hkdfSync, randomBytes, verify, type ECDH } from 'node:crypto';
import http from 'node:http';

export interface ReceivedPush {
  /** Which subscription (the token at the end of its endpoint). */
  token: string;
  headers: http.IncomingHttpHeaders;
  /** The decrypted body, or null when it could not be decrypted (`problems` says why). */
  plaintext: string | null;
  claims: { aud?: unknown; exp?: unknown; sub?: unknown } | null;
  vapidKey: string | null;
  /** Everything that made this push not what a push service accepts; empty when it is fine. */
  problems: string[];
  /** What the stand-in answered. */
  status: number;
  /** When it arrived (ms since the epoch). */
  at: number;
}

export interface StandInSubscription {
  token: string;
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** The browser side: its private key and auth secret, which only the stand-in knows. */
  ecdh: ECDH;
  authSecret: Buffer;
}

const b64u = (b: Buffer) => b.toString('base64url');

/** RFC 8291 §3.4 and RFC 8188 §2: one record, the last one (padding delimiter 2). */
export function decryptAes128gcm(body: Buffer, ua: ECDH, authSecret: Buffer): string {
  if (body.length < 21) throw new Error('body shorter than the aes128gcm header');
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const keyid = body.subarray(21, 21 + idlen);
  const records = body.subarray(21 + idlen);
  if (idlen !== 65 || keyid[0] !== 4) throw new Error(`keyid is not an uncompressed P-256 point (idlen ${idlen})`);
  if (rs < 18) throw new Error(`record size ${rs} below the minimum`);
  if (records.length > rs) throw new Error('more than one record: a push message is one record');
  const uaPublic = ua.getPublicKey();
  const ecdhSecret = ua.computeSecret(keyid);
  const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), uaPublic, keyid]);
  const ikm = Buffer.from(hkdfSync('sha256', ecdhSecret, authSecret, keyInfo, 32));
  const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16));
  const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12));
  const tag = records.subarray(records.length - 16);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(tag);
  const padded = Buffer.concat([decipher.update(records.subarray(0, records.length - 16)), decipher.final()]);
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (end < 0 || padded[end] !== 2) throw new Error('no last-record padding delimiter (0x02)');
  return padded.subarray(0, end).toString('utf8');
}

/** RFC 8292 §2-3: `vapid t=<JWT>, k=<key>`, the JWT signed with ES256 by that very key. */
export function checkVapid(authorization: string | undefined, endpointOrigin: string, now: number): { claims: ReceivedPush['claims']; key: string | null; problems: string[] } {
  const problems: string[] = [];
  const m = /^vapid t=([A-Za-z0-9_.-]+),\s*k=([A-Za-z0-9_-]+)$/.exec(authorization ?? '');
  if (!m) return { claims: null, key: null, problems: [`Authorization is not a vapid one: ${authorization ?? '(none)'}`] };
  const [, jwt, k] = m as unknown as [string, string, string];
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) return { claims: null, key: k, problems: ['the JWT has not three parts'] };
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg?: string; typ?: string };
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as { aud?: unknown; exp?: unknown; sub?: unknown };
  if (header.alg !== 'ES256') problems.push(`alg is ${header.alg}, not ES256`);
  const point = Buffer.from(k, 'base64url');
  if (point.length !== 65 || point[0] !== 4) problems.push('k is not an uncompressed P-256 point');
  else {
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64u(point.subarray(1, 33)), y: b64u(point.subarray(33)) }, format: 'jwk' });
    const ok = verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
    if (!ok) problems.push('the JWT signature does not verify with k');
  }
  if (claims.aud !== endpointOrigin) problems.push(`aud is ${String(claims.aud)}, not ${endpointOrigin}`);
  const sec = Math.floor(now / 1000);
  if (typeof claims.exp !== 'number' || claims.exp <= sec || claims.exp > sec + 24 * 3600) problems.push(`exp ${String(claims.exp)} is not within the next 24 hours`);
  if (typeof claims.sub !== 'string' || !/^(mailto:|https:)/.test(claims.sub)) problems.push(`sub ${String(claims.sub)} is not a mailto: or https: contact`);
  return { claims, key: k, problems };
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface PushStandIn {
  url: string;
  received: ReceivedPush[];
  subscribe(): StandInSubscription;
  /** The next answers to pushes for this subscription (then 201), with headers (Retry-After). */
  answer(token: string, ...statuses: (number | Answer)[]): void;
  /** The next push for this subscription is answered (201) only after `ms`: a push service that hangs. */
  hang(token: string, ms?: number): void;
  /** Resolves when `n` pushes (any status) have arrived for this subscription. */
  waitFor(token: string, n: number, timeoutMs?: number): Promise<ReceivedPush[]>;
  close(): Promise<void>;
}

export async function startPushStandIn(): Promise<PushStandIn> {
  const subs = new Map<string, StandInSubscription>();
  const scripted = new Map<string, (number | Answer)[]>();
  const received: ReceivedPush[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const token = (req.url ?? '').replace(/^\/push\//, '');
      const sub = subs.get(token);
      const problems: string[] = [];
      if (req.method !== 'POST') problems.push(`method ${req.method}`);
      const vapid = checkVapid(req.headers.authorization, url, Date.now());
      problems.push(...vapid.problems);
      if (req.headers['content-encoding'] !== 'aes128gcm') problems.push(`Content-Encoding ${String(req.headers['content-encoding'])}`);
      if (!/^\d+$/.test(String(req.headers.ttl ?? ''))) problems.push('no TTL header');
      let plaintext: string | null = null;
      if (sub) {
        try {
          plaintext = decryptAes128gcm(Buffer.concat(chunks), sub.ecdh, sub.authSecret);
        } catch (err) {
          problems.push(`cannot decrypt: ${(err as Error).message}`);
        }
      }
      const next = scripted.get(token)?.shift();
      const answer: Answer = typeof next === 'number' ? { status: next } : (next ?? { status: sub ? (problems.length ? 400 : 201) : 404 });
      received.push({ token, headers: req.headers, plaintext, claims: vapid.claims, vapidKey: vapid.key, problems, status: answer.status, at });
      setTimeout(() => res.writeHead(answer.status, answer.headers ?? {}).end(), answer.delayMs ?? 0);
      for (const w of waiters) w();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return {
    url,
    received,
    subscribe() {
      const ecdh = createECDH('prime256v1');
      ecdh.generateKeys();
      const authSecret = randomBytes(16);
      const token = b64u(randomBytes(12));
      const sub: StandInSubscription = { token, endpoint: `${url}/push/${token}`, keys: { p256dh: b64u(ecdh.getPublicKey()), auth: b64u(authSecret) }, ecdh, authSecret };
      subs.set(token, sub);
      return sub;
    },
    answer(token, ...statuses) {
      scripted.set(token, [...(scripted.get(token) ?? []), ...statuses]);
    },
    hang(token, ms = 3000) {
      scripted.set(token, [...(scripted.get(token) ?? []), { status: 201, delayMs: ms }]);
    },
    waitFor(token, n, timeoutMs = 10_000) {
      const mine = () => received.filter((r) => r.token === token);
      return new Promise((resolve, reject) => {
        const check = () => {
          if (mine().length >= n) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(mine());
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`stand-in push service: ${mine().length} of ${n} pushes for ${token} after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
