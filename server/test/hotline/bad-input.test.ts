// What the public intake refuses: addresses that are not http(s), too many or too long, huge bodies,
// anything that looks like a file, missing or replayed proof of work, and floods from one address.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { startTestEnv, type TestEnv } from '../helpers.js';
import { hotlineReports } from '../../src/hotline/tables.js';
import { solvePow } from '../../src/hotline/pow.js';
import { normalizeUrl } from '../../src/hotline/normalize.js';
import { fileReport, post } from './support.js';

let env: TestEnv;
let ipSeq = 1;
/** Each case from its own client address (the test app sits behind a trusted proxy: TRUST_PROXY). */
const ip = () => ({ 'x-forwarded-for': `198.51.100.${ipSeq++}` });
const reports = async () => Number((await env.app.db.select({ n: count() }).from(hotlineReports))[0]!.n);

beforeAll(async () => {
  env = await startTestEnv({ HOTLINE_POW_BITS: '8', HOTLINE_REPORTS_PER_10MIN: '4', TRUST_PROXY: 'true' });
});
afterAll(async () => {
  await env?.close();
});

describe('the de-duplication key', () => {
  it('ignores case of the host, www., default port, fragment, trailing slash, utm_* and the scheme', () => {
    const k = 'example.org/a/b?id=3';
    expect(normalizeUrl('https://WWW.Example.ORG:443/a/b/?id=3&utm_source=x&utm_campaign=y#frag')).toBe(k);
    expect(normalizeUrl('http://example.org:80/a/b?utm_medium=m&id=3')).toBe(k);
    expect(normalizeUrl('http://example.org:8080/a/b?id=3')).toBe('example.org:8080/a/b?id=3');
    expect(normalizeUrl('https://example.org/A/b?id=3')).not.toBe(k);
    expect(normalizeUrl('https://example.org/')).toBe('example.org');
  });
});

describe('bad input to the public form', () => {
  it('refuses addresses that are not http(s), too long, or too many', async () => {
    const before = await reports();
    for (const urls of [['javascript:alert(1)'], ['ftp://files.example/x'], ['data:text/html,<b>x</b>'], ['example.org/no-scheme'], ['https://'], [`https://a.example/${'x'.repeat(2100)}`], []]) {
      const r = await fileReport(env.url, { urls }, ip());
      expect(r.status, JSON.stringify(urls).slice(0, 60)).toBe(400);
      expect(r.body.error.code).toBe('invalid_payload');
      expect(r.body.error.fields[0].path).toMatch(/^urls/);
    }
    const many = await fileReport(env.url, { urls: Array.from({ length: 21 }, (_, i) => `https://a.example/${i}`) }, ip());
    expect(many.status).toBe(413);
    expect(many.body.error.code).toBe('too_large');
    const twenty = await fileReport(env.url, { urls: Array.from({ length: 20 }, (_, i) => `https://a.example/${i}`) }, ip());
    expect(twenty.status).toBe(200);
    expect(await reports()).toBe(before + 1);
  });

  it('refuses huge bodies, unknown fields and bad e-mails with typed errors', async () => {
    const huge = await post(env.url, '/api/hotline/reports', { urls: ['https://a.example/'], description: 'x'.repeat(200_000) }, ip());
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('too_large');
    const long = await fileReport(env.url, { urls: ['https://a.example/'], description: 'x'.repeat(5000) }, ip());
    expect(long.body.error.code).toBe('too_large');
    const extra = await fileReport(env.url, { urls: ['https://a.example/'], name: 'Ivan' }, ip());
    expect(extra.status).toBe(400);
    const mail = await fileReport(env.url, { urls: ['https://a.example/'], email: 'not-an-address' }, ip());
    expect(mail.body.error.fields[0].path).toBe('email');
    const notJson = await post(env.url, '/api/hotline/reports', '{"urls": [', ip());
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('invalid_payload');
  });

  it('refuses file uploads: multipart, raw images, file fields and data: URIs', async () => {
    const before = await reports();
    const form = new FormData();
    form.append('urls', 'https://a.example/');
    form.append('file', new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0])], { type: 'image/jpeg' }), 'photo.jpg');
    const multipart = await fetch(`${env.url}/api/hotline/reports`, { method: 'POST', body: form, headers: ip() });
    expect(multipart.status).toBe(400);
    const mb = (await multipart.json()) as any;
    expect(mb.error.code).toBe('invalid_payload');
    expect(mb.error.message).toMatch(/files cannot be uploaded/);

    const raw = await fetch(`${env.url}/api/hotline/reports`, { method: 'POST', body: new Uint8Array([0xff, 0xd8, 0xff]), headers: { 'content-type': 'image/jpeg', ...ip() } });
    expect(raw.status).toBe(400);
    const noType = await fetch(`${env.url}/api/hotline/reports`, { method: 'POST', body: 'urls=https://a.example/', headers: { 'content-type': 'application/x-www-form-urlencoded', ...ip() } });
    expect(noType.status).toBe(400);

    const field = await fileReport(env.url, { urls: ['https://a.example/'], attachment: 'aGVsbG8=' }, ip());
    expect(field.body.error).toMatchObject({ code: 'invalid_payload', message: expect.stringMatching(/Files are not accepted/) });
    const dataUri = await fileReport(env.url, { urls: ['https://a.example/'], description: 'data:image/png;base64,iVBORw0KGgo=' }, ip());
    expect(dataUri.body.error.code).toBe('invalid_payload');
    expect(await reports()).toBe(before);
  });

  it('needs a fresh challenge with the work done; a filled honeypot stores nothing', async () => {
    const before = await reports();
    const noPow = await post(env.url, '/api/hotline/reports', { urls: ['https://a.example/'] }, ip());
    expect(noPow.body.error.fields[0].path).toBe('pow');
    const ch = (await (await fetch(`${env.url}/api/hotline/challenge`)).json()) as { challenge: string; bits: number };
    expect(ch.bits).toBe(8);
    // A nonce that does not meet the difficulty.
    let lazy = 0;
    while (solvePow(ch.challenge, 8) === String(lazy)) lazy++;
    const weak = await post(env.url, '/api/hotline/reports', { urls: ['https://a.example/'], pow: { challenge: ch.challenge, nonce: String(lazy) } }, ip());
    expect(weak.status).toBe(400);
    const made = await post(env.url, '/api/hotline/reports', { urls: ['https://a.example/'], pow: { challenge: 'f'.repeat(32), nonce: solvePow('f'.repeat(32), 8) } }, ip());
    expect(made.body.error.fields[0].message).toMatch(/expired or used/);
    const nonce = solvePow(ch.challenge, 8);
    const ok = await post(env.url, '/api/hotline/reports', { urls: ['https://a.example/'], pow: { challenge: ch.challenge, nonce } }, ip());
    expect(ok.status).toBe(200);
    const replay = await post(env.url, '/api/hotline/reports', { urls: ['https://a.example/'], pow: { challenge: ch.challenge, nonce } }, ip());
    expect(replay.status).toBe(400);

    const bot = await fileReport(env.url, { urls: ['https://a.example/'], website: 'http://spam.example' }, ip());
    expect(bot.status).toBe(200);
    expect(bot.body.reference).toMatch(/^HR-/);
    expect(await reports()).toBe(before + 1);
    const st = await post(env.url, '/api/hotline/status', { reference: bot.body.reference, pickupCode: bot.body.pickupCode }, ip());
    expect(st.status).toBe(404);
  });

  it('limits a flood from one address', async () => {
    const from = ip();
    const results: number[] = [];
    for (let i = 0; i < 6; i++) results.push((await fileReport(env.url, { urls: [`https://flood.example/${i}`] }, from)).status);
    expect(results.slice(0, 4)).toEqual([200, 200, 200, 200]);
    expect(results.slice(4)).toEqual([429, 429]);
    const other = await fileReport(env.url, { urls: ['https://flood.example/x'] }, ip());
    expect(other.status).toBe(200);
  });

  it('refuses malformed status checks and limits guessing of pick-up codes', async () => {
    const from = ip();
    const bad = await post(env.url, '/api/hotline/status', { reference: 'nope', pickupCode: 'x' }, from);
    expect(bad.body.error.code).toBe('invalid_payload');
    let last = 0;
    for (let i = 0; i < 31; i++) last = (await post(env.url, '/api/hotline/status', { reference: 'HR-AAAAAA', pickupCode: `GUESS-${i}-XXXX` }, from)).status;
    expect(last).toBe(429);
  });

  it('staff routes need a session', async () => {
    const r = await fetch(`${env.url}/api/hotline/reports`);
    expect(r.status).toBe(401);
    const s = await fetch(`${env.url}/api/hotline/stats`);
    expect(s.status).toBe(401);
  });
});
