// Leave-a-message over HTTP: the child leaves a message and later picks up the answer with an
// anonymous reference and code; staff list and answer; origins and rate limits are enforced.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { offlineMessages } from '../../src/widget/tables.js';
import { api, createStaff, login, startTestEnv, type TestEnv } from '../helpers.js';

let env: TestEnv;
const SITE = 'http://site.example.test';
beforeAll(async () => {
  env = await startTestEnv({ ALLOWED_ORIGINS: SITE });
});
afterAll(async () => {
  await env?.close();
});

async function post(path: string, body: unknown, origin: string | null = env.url) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (origin) headers.origin = origin;
  const res = await fetch(`${env.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as any };
}

describe('widget config', () => {
  it('gives the public branding and nothing about allowed origins', async () => {
    await env.app.settings.set('widget', { centreName: 'Test Centre', phoneLine: '0800 1', allowedOrigins: ['https://secret-site.test'] });
    const res = await api(env.url, null, 'GET', '/api/widget/config');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ centreName: 'Test Centre', phoneLine: '0800 1', reportUrl: '/report', languages: ['bg', 'sr-Cyrl', 'sr-Latn', 'en'] });
    expect(JSON.stringify(res.body)).not.toContain('secret-site');
    const foreign = await fetch(`${env.url}/api/widget/config`, { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
  });
});

describe('offline messages', () => {
  it('leave a message, pick up the answer with the code, staff answer once', async () => {
    const created = await post('/api/widget/offline-messages', { body: '  Someone keeps writing to me  ', language: 'en', ageGroup: '12-18' });
    expect(created.status).toBe(201);
    const { reference, pickupCode } = created.body;
    expect(reference).toMatch(/^M-[0-9A-Z]{8}$/);
    expect(pickupCode).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);

    // Only a hash of the code is stored.
    const [row] = await env.app.db.select().from(offlineMessages).where(eq(offlineMessages.reference, reference));
    expect(row!.pickupCodeHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(row)).not.toContain(pickupCode.replace(/-/g, ''));

    const status = await post('/api/widget/offline-messages/status', { reference, pickupCode });
    expect(status).toMatchObject({ status: 200, body: { status: 'new' } });
    // Codes typed by hand: lower case, no dashes.
    const loose = await post('/api/widget/offline-messages/status', { reference: reference.toLowerCase(), pickupCode: pickupCode.replace(/-/g, '').toLowerCase() });
    expect(loose.body.status).toBe('new');
    const wrong = await post('/api/widget/offline-messages/status', { reference, pickupCode: 'AAAA-AAAA-AAAA' });
    expect(wrong).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });

    const staff = await createStaff(env.app, 'counsellor');
    const who = await login(env.url, staff.email, staff.password);
    const list = await api(env.url, who, 'GET', '/api/offline-messages?state=new');
    expect(list.status).toBe(200);
    const mine = list.body.messages.find((m: any) => m.reference === reference);
    expect(mine).toMatchObject({ state: 'new', ageGroup: '12-18' });
    // The list never carries what the child wrote: opening the message does (and is audited).
    expect(mine.body).toBeUndefined();
    const opened = await api(env.url, who, 'GET', `/api/offline-messages/${mine.id}`);
    expect(opened.body).toMatchObject({ body: 'Someone keeps writing to me', state: 'new' });
    expect(JSON.stringify(opened.body)).not.toMatch(/pickup/i);

    expect((await api(env.url, who, 'POST', `/api/offline-messages/${mine.id}/claim`)).body.state).toBe('claimed');
    const answered = await api(env.url, who, 'POST', `/api/offline-messages/${mine.id}/answer`, { answer: 'Block them and talk to us.' });
    expect(answered).toMatchObject({ status: 200, body: { state: 'answered', answer: 'Block them and talk to us.' } });
    const again = await api(env.url, who, 'POST', `/api/offline-messages/${mine.id}/answer`, { answer: 'second' });
    expect(again.body.error.code).toBe('invalid_state');
    const audit = await env.app.audit.search({ targetType: 'offline_message', targetId: mine.id, action: 'offline_message.answered' });
    expect(audit).toHaveLength(1);

    const picked = await post('/api/widget/offline-messages/status', { reference, pickupCode });
    expect(picked.body).toMatchObject({ status: 'answered', answer: 'Block them and talk to us.' });
    expect(typeof picked.body.answeredAt).toBe('string');
  });

  it('refuses foreign or missing origins, bad payloads, visitors on staff routes, and analysts', async () => {
    expect((await post('/api/widget/offline-messages', { body: 'hi' }, 'https://evil.example')).body.error.code).toBe('origin_not_allowed');
    expect((await post('/api/widget/offline-messages', { body: 'hi' }, null)).body.error.code).toBe('origin_not_allowed');
    expect((await post('/api/widget/offline-messages', { body: 'hi' }, SITE)).status).toBe(201);
    expect((await post('/api/widget/offline-messages', { body: '   ' })).body.error.code).toBe('invalid_payload');
    expect((await post('/api/widget/offline-messages', { body: 'x', name: 'Ana' })).body.error.code).toBe('invalid_payload');
    expect((await api(env.url, null, 'GET', '/api/offline-messages')).status).toBe(401);
    const analyst = await createStaff(env.app, 'analyst');
    const who = await login(env.url, analyst.email, analyst.password);
    expect((await api(env.url, who, 'GET', '/api/offline-messages')).status).toBe(403);
  });

  it('rate-limits pick-up attempts per reference', async () => {
    const { body } = await post('/api/widget/offline-messages', { body: 'limit me' });
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await post('/api/widget/offline-messages/status', { reference: body.reference, pickupCode: 'ZZZZ-ZZZZ-ZZZZ' })).status);
    expect(codes.slice(0, 10).every((c) => c === 404)).toBe(true);
    expect(codes[10]).toBe(429);
  });
});
