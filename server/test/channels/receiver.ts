// A stand-in for the integrator: a real HTTP server on loopback that checks the signature of every
// request it gets (with its own HMAC, not the server's code) and answers as a test tells it.
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: any;
  signatureOk: boolean;
}

export const hmac = (secret: string, timestamp: string, raw: string) => 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest('hex');

export interface Receiver {
  url: string;
  received: Received[];
  /** Statuses to answer with, one per request, before answering 200 again. */
  failNext(...statuses: number[]): void;
  /** Resolves with the first request (already received or to come) that satisfies `pred`. */
  waitFor(pred: (r: Received) => boolean, timeoutMs?: number): Promise<Received>;
  close(): Promise<void>;
}

export async function startReceiver(secret: () => string): Promise<Receiver> {
  const received: Received[] = [];
  const statuses: number[] = [];
  const waiters: { pred: (r: Received) => boolean; resolve(r: Received): void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const ts = String(req.headers['x-helpline-timestamp'] ?? '');
      const expected = Buffer.from(hmac(secret(), ts, raw));
      const got = Buffer.from(String(req.headers['x-helpline-signature'] ?? ''));
      const fresh = Math.abs(Date.now() / 1000 - Number(ts)) <= 300;
      const r: Received = { headers: req.headers, raw, body: JSON.parse(raw), signatureOk: fresh && got.length === expected.length && timingSafeEqual(got, expected) };
      received.push(r);
      res.statusCode = r.signatureOk ? (statuses.shift() ?? 200) : 401;
      res.end('{}');
      for (const w of [...waiters]) {
        if (w.pred(r)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(r);
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    failNext: (...s) => statuses.push(...s),
    waitFor(pred, timeoutMs = 15_000) {
      const hit = received.find(pred);
      if (hit) return Promise.resolve(hit);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve: (r: Received) => (clearTimeout(t), resolve(r)) };
        const t = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error('the receiver got no such request'));
        }, timeoutMs);
        waiters.push(w);
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** POST a message to an API inbox, signed as an integrator would. */
export async function postSigned(
  baseUrl: string,
  inboxId: string,
  secret: string,
  body: unknown,
  opts: { timestamp?: number; signature?: string } = {},
): Promise<{ status: number; body: any }> {
  const raw = JSON.stringify(body);
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const res = await fetch(`${baseUrl}/api/channels/api/${inboxId}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-helpline-timestamp': ts, 'x-helpline-signature': opts.signature ?? hmac(secret, ts, raw) },
    body: raw,
  });
  return { status: res.status, body: await res.json() };
}
