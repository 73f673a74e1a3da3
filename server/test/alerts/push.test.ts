// Web Push of alerts, against a local stand-in for a push service (push-standin.ts) that checks the
// VAPID JWT and decrypts each push with the browser's private key: a published alert reaches every
// subscription in its own language, with TTL, urgency and topic; 404/410 remove the subscription;
// 429/500 are tried again; the approval never waits for any of it; a subscription holds nothing
// personal, is refused when its endpoint is no push service, and can be removed by its browser.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import webpush from 'web-push';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PushAlertPayload } from '@helpline/shared';
import { api, createStaff, login, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';
import { ConfigError } from '../../src/config.js';
import { resolveVapidKeys } from '../../src/alerts/push/vapid.js';
import type { DataDirOwner } from '../../src/infra/data-dir.js';
import { alertInput } from './support.js';
import { startPushStandIn, type PushStandIn, type StandInSubscription } from './push-standin.js';

const VAPID = webpush.generateVAPIDKeys();
let env: TestEnv;
let standIn: PushStandIn;
let analyst: LoggedIn;
let approver: LoggedIn;
let sql: postgres.Sql;

beforeAll(async () => {
  standIn = await startPushStandIn();
  env = await startTestEnv({
    VAPID_PUBLIC_KEY: VAPID.publicKey,
    VAPID_PRIVATE_KEY: VAPID.privateKey,
    VAPID_SUBJECT: 'mailto:alerts@example.org',
    PUSH_ALLOW_LOCAL_ENDPOINTS: 'true',
    PUSH_ATTEMPTS: '4',
    PUSH_BACKOFF_MS: '100',
    PUSH_TTL_S: '3600',
    PUSH_SUBSCRIBES_PER_IP_PER_10MIN: '1000',
  });
  sql = postgres(env.databaseUrl, { max: 1, onnotice: () => {} });
  const a = await createStaff(env.app, 'analyst', { name: 'Ana Writer' });
  const b = await createStaff(env.app, 'analyst', { name: 'Boris Approver' });
  analyst = await login(env.url, a.email, a.password);
  approver = await login(env.url, b.email, b.password);
}, 60_000);
afterAll(async () => {
  await sql?.end();
  await env?.close();
  await standIn?.close();
});

const post = (p: string, body: unknown, origin: string = env.url) =>
  fetch(`${env.url}${p}`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const subscribe = (s: StandInSubscription, language: string) => post('/api/public/push/subscribe', { endpoint: s.endpoint, keys: s.keys, expirationTime: null, language });
const rows = async (endpoint: string) => (await sql`select * from push_subscriptions where endpoint = ${endpoint}`).length;

/** Writes, submits and approves an alert; returns its id and how long the approval took. */
async function publish(title: string, severity = 'warning', expiresInMs?: number): Promise<{ id: string; approveMs: number }> {
  const created = await api(env.url, analyst, 'POST', '/api/alerts', alertInput({ title, severity, ...(expiresInMs ? { expiresInMs } : {}) }));
  await api(env.url, analyst, 'POST', `/api/alerts/${created.body.id}/submit`);
  const t0 = Date.now();
  const ok = await api(env.url, approver, 'POST', `/api/alerts/${created.body.id}/approve`);
  expect(ok.body.state).toBe('published');
  return { id: created.body.id, approveMs: Date.now() - t0 };
}
const payloadOf = (plaintext: string | null) => JSON.parse(plaintext ?? 'null') as PushAlertPayload;

describe('subscribing', () => {
  it('serves the VAPID public key', async () => {
    const res = await fetch(`${env.url}/api/public/push/key`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ publicKey: VAPID.publicKey });
  });

  it('keeps the endpoint, the keys and a language: nothing that says who or where', async () => {
    const s = standIn.subscribe();
    expect((await subscribe(s, 'bg')).status).toBe(204);
    const cols = await sql`select column_name from information_schema.columns where table_name = 'push_subscriptions' order by ordinal_position`;
    expect(cols.map((c) => c.column_name)).toEqual(['id', 'endpoint', 'p256dh', 'auth', 'language', 'created_at']);
    // Subscribing again updates the one row (a browser that re-subscribed in another language).
    expect((await subscribe(s, 'en')).status).toBe(204);
    const [row] = await sql`select language, p256dh from push_subscriptions where endpoint = ${s.endpoint}`;
    expect(row).toEqual({ language: 'en', p256dh: s.keys.p256dh });
    await post('/api/public/push/unsubscribe', { endpoint: s.endpoint, auth: s.keys.auth });
  });

  it('refuses endpoints that are no push service, bad keys, big bodies and foreign sites, with typed errors', async () => {
    const s = standIn.subscribe();
    const bad = async (body: unknown, code: string, origin?: string) => {
      const res = await post('/api/public/push/subscribe', body, origin);
      const json = (await res.json()) as { error: { code: string; fields?: { path: string }[] } };
      expect(json.error.code, JSON.stringify(body).slice(0, 120)).toBe(code);
      return json.error;
    };
    const ok = { endpoint: s.endpoint, keys: s.keys, language: 'bg' };
    // The server posts to the endpoint: only the browsers' push services (and, here, 127.0.0.1 by http).
    for (const endpoint of ['https://attacker.example/push/1', 'http://localhost:9/x', 'http://10.0.0.1/x', 'https://fcm.googleapis.com.attacker.example/x', 'ftp://127.0.0.1/x', 'https://user:pw@fcm.googleapis.com/x']) {
      const e = await bad({ ...ok, endpoint }, 'invalid_payload');
      expect(e.fields?.[0]?.path).toBe('endpoint');
    }
    await bad({ ...ok, endpoint: 'not a url' }, 'invalid_payload');
    await bad({ ...ok, keys: { ...s.keys, p256dh: s.keys.p256dh.slice(0, 40) } }, 'invalid_payload');
    // 65 bytes that are no point on the curve: nothing could be encrypted to them.
    await bad({ ...ok, keys: { ...s.keys, p256dh: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString('base64url') } }, 'invalid_payload');
    await bad({ ...ok, keys: { ...s.keys, auth: 'AAAA' } }, 'invalid_payload');
    await bad({ ...ok, language: 'de' }, 'invalid_payload');
    await bad({ ...ok, name: 'Ana' }, 'invalid_payload');
    await bad({ ...ok, endpoint: `${s.endpoint}/${'x'.repeat(1100)}` }, 'too_large');
    await bad(JSON.stringify({ ...ok, pad: 'x'.repeat(5000) }), 'too_large');
    await bad(ok, 'origin_not_allowed', 'https://elsewhere.example');
    expect(await rows(s.endpoint)).toBe(0);
  });

  it('is removed by its browser (endpoint and auth secret), and only by it', async () => {
    const s = standIn.subscribe();
    await subscribe(s, 'bg');
    const other = standIn.subscribe();
    expect((await post('/api/public/push/unsubscribe', { endpoint: s.endpoint, auth: other.keys.auth })).status).toBe(204);
    expect(await rows(s.endpoint)).toBe(1);
    expect((await post('/api/public/push/unsubscribe', { endpoint: s.endpoint, auth: s.keys.auth })).status).toBe(204);
    expect(await rows(s.endpoint)).toBe(0);
  });
});

describe('a published alert', () => {
  it('reaches each subscription in its own language, decrypted and signed as a push service checks', async () => {
    const bg = standIn.subscribe();
    const latn = standIn.subscribe();
    const en = standIn.subscribe();
    await subscribe(bg, 'bg');
    await subscribe(latn, 'sr-Latn');
    await subscribe(en, 'en');
    const { id, approveMs } = await publish('Fake parcel messages', 'urgent');
    const [[b], [l], [e]] = await Promise.all([standIn.waitFor(bg.token, 1), standIn.waitFor(latn.token, 1), standIn.waitFor(en.token, 1)]);
    for (const r of [b!, l!, e!]) {
      expect(r.problems).toEqual([]);
      expect(r.vapidKey).toBe(VAPID.publicKey);
      expect(r.claims).toMatchObject({ aud: standIn.url, sub: 'mailto:alerts@example.org' });
      expect(r.headers.urgency).toBe('high');
      expect(r.headers.topic).toBe(id.replace(/-/g, ''));
      expect(Number(r.headers.ttl)).toBeGreaterThan(3500);
      expect(Number(r.headers.ttl)).toBeLessThanOrEqual(3600);
    }
    expect(payloadOf(b!.plaintext)).toEqual({
      id,
      severity: 'urgent',
      language: 'bg',
      title: 'Fake parcel messages (bg)',
      body: 'Съобщения твърдят, че те чака пратка, и искат данни от карта.',
      url: `${env.url}/widget/#lang=bg&alert=${id}`,
    });
    // Serbian Latin is the transliteration of the Cyrillic text.
    expect(payloadOf(l!.plaintext)).toMatchObject({ language: 'sr-Latn', title: 'Fake parcel messages (sr)', body: 'Poruke kažu da te čeka paket i traže podatke sa kartice.' });
    expect(payloadOf(e!.plaintext)).toMatchObject({ language: 'en', title: 'Fake parcel messages', url: `${env.url}/widget/#lang=en&alert=${id}` });
    expect(approveMs).toBeLessThan(2000);
    for (const s of [bg, latn, en]) await post('/api/public/push/unsubscribe', { endpoint: s.endpoint, auth: s.keys.auth });
  });

  it('is pushed once per subscription, even when its fan-out runs again (BullMQ delivers at least once)', async () => {
    const s = standIn.subscribe();
    await subscribe(s, 'en');
    const { id } = await publish('Twice fanned out');
    await standIn.waitFor(s.token, 1);
    await env.app.jobs.add('push', 'fanout', { alertId: id }, { jobId: `fanout-again-${id}` });
    const other = standIn.subscribe();
    await subscribe(other, 'en');
    await env.app.jobs.add('push', 'fanout', { alertId: id }, { jobId: `fanout-third-${id}` });
    // The subscription that came later gets it from the third fan-out; the first one no second copy.
    await standIn.waitFor(other.token, 1);
    await new Promise((r) => setTimeout(r, 500));
    expect(standIn.received.filter((r) => r.token === s.token)).toHaveLength(1);
    for (const x of [s, other]) await post('/api/public/push/unsubscribe', { endpoint: x.endpoint, auth: x.keys.auth });
  });

  it('removes a subscription its push service answers 404 or 410 for', async () => {
    const gone = standIn.subscribe();
    const expired = standIn.subscribe();
    await subscribe(gone, 'en');
    await subscribe(expired, 'en');
    standIn.answer(gone.token, 410);
    standIn.answer(expired.token, 404);
    await publish('Gone browsers', 'info');
    const [[g], [x]] = await Promise.all([standIn.waitFor(gone.token, 1), standIn.waitFor(expired.token, 1)]);
    expect(g!.headers.urgency).toBe('low');
    expect(x!.problems).toEqual([]);
    await expect.poll(async () => (await rows(gone.endpoint)) + (await rows(expired.endpoint)), { timeout: 5000 }).toBe(0);
    // And no second try at either.
    await new Promise((r) => setTimeout(r, 600));
    expect(standIn.received.filter((r) => r.token === gone.token || r.token === expired.token)).toHaveLength(2);
  });

  it('is tried again after 429 (honouring Retry-After) and 500, then delivered once, and the subscription stays', async () => {
    const s = standIn.subscribe();
    await subscribe(s, 'en');
    standIn.answer(s.token, { status: 429, headers: { 'retry-after': '1' } }, 500);
    const { id } = await publish('Busy push service');
    const got = await standIn.waitFor(s.token, 3, 15_000);
    expect(got.map((r) => r.status)).toEqual([429, 500, 201]);
    // Retry-After: 1 s between the 429 and the next try (the backoff alone would be 100 ms).
    expect(got[1]!.at - got[0]!.at).toBeGreaterThanOrEqual(900);
    for (const r of got) expect(payloadOf(r.plaintext).id).toBe(id);
    expect(await rows(s.endpoint)).toBe(1);
    await new Promise((r) => setTimeout(r, 600));
    expect(standIn.received.filter((r) => r.token === s.token)).toHaveLength(3);
    await post('/api/public/push/unsubscribe', { endpoint: s.endpoint, auth: s.keys.auth });
  });

  it('never holds up the approval, even when the push service hangs', async () => {
    const s = standIn.subscribe();
    await subscribe(s, 'en');
    standIn.hang(s.token);
    const { approveMs } = await publish('Slow push service');
    expect(approveMs).toBeLessThan(1500);
    await standIn.waitFor(s.token, 1);
    await post('/api/public/push/unsubscribe', { endpoint: s.endpoint, auth: s.keys.auth });
  });
});

describe('without VAPID keys, and per IP', () => {
  it('push is off (404) and subscribing is rate-limited per IP like the other public routes', async () => {
    const off = await startTestEnv({ PUSH_ALLOW_LOCAL_ENDPOINTS: 'true', PUSH_SUBSCRIBES_PER_IP_PER_10MIN: '3' });
    try {
      const s = standIn.subscribe();
      const key = await fetch(`${off.url}/api/public/push/key`);
      expect(key.status).toBe(404);
      const send = () => fetch(`${off.url}/api/public/push/unsubscribe`, { method: 'POST', headers: { 'content-type': 'application/json', origin: off.url }, body: JSON.stringify({ endpoint: s.endpoint, auth: s.keys.auth }) });
      const sub = await fetch(`${off.url}/api/public/push/subscribe`, { method: 'POST', headers: { 'content-type': 'application/json', origin: off.url }, body: JSON.stringify({ endpoint: s.endpoint, keys: s.keys, language: 'en' }) });
      expect(sub.status).toBe(404);
      const statuses = [(await send()).status, (await send()).status, (await send()).status];
      expect(statuses).toEqual([204, 204, 429]);
      expect(((await (await send()).json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    } finally {
      await off.close();
    }
  });
});

describe('the VAPID keys of the embedded default', () => {
  it('are generated once into the data folder (0600) and kept; a mismatched pair is refused', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hl-vapid-'));
    try {
      const owner = { dir } as DataDirOwner;
      const cfg = { publicUrl: 'https://chat.example.org', embedded: { postgres: true, redis: true } };
      const first = await resolveVapidKeys(cfg, owner);
      const again = await resolveVapidKeys(cfg, owner);
      expect(first).toEqual(again);
      expect(first).toMatchObject({ subject: 'https://chat.example.org' });
      expect((await stat(path.join(dir, 'vapid.json'))).mode & 0o777).toBe(0o600);
      expect(JSON.parse(await readFile(path.join(dir, 'vapid.json'), 'utf8')).publicKey).toBe(first!.publicKey);
      // With DATABASE_URL and no keys: push is off, not a key of one instance's own.
      expect(await resolveVapidKeys({ ...cfg, embedded: { postgres: false, redis: false } }, null)).toBeNull();
      const other = webpush.generateVAPIDKeys();
      await expect(resolveVapidKeys({ ...cfg, VAPID_PUBLIC_KEY: other.publicKey, VAPID_PRIVATE_KEY: VAPID.privateKey }, null)).rejects.toThrow(ConfigError);
      await expect(resolveVapidKeys({ ...cfg, VAPID_PUBLIC_KEY: other.publicKey }, null)).rejects.toThrow(/both or neither/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
