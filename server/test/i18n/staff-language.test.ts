// Each staff member's console language is kept on their account: chosen once, it comes back in every
// later session (another computer, another day), and only a supported language is accepted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createStaff, login, startTestEnv, type TestEnv } from '../helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('a staff member\'s console language', () => {
  it('is kept across sessions once chosen, and belongs to that person only', async () => {
    const a = await createStaff(env.app, 'counsellor');
    const b = await createStaff(env.app, 'supervisor');
    const first = await login(env.url, a.email, a.password);
    expect((await api(env.url, first, 'GET', '/api/auth/me')).body.profile.language).toBeNull();

    const set = await api(env.url, first, 'PATCH', '/api/auth/me', { language: 'sr-Latn' });
    expect(set.status).toBe(200);
    expect(set.body.profile.language).toBe('sr-Latn');

    const later = await login(env.url, a.email, a.password);
    expect((await api(env.url, later, 'GET', '/api/auth/me')).body.profile.language).toBe('sr-Latn');
    const other = await login(env.url, b.email, b.password);
    expect((await api(env.url, other, 'GET', '/api/auth/me')).body.profile.language).toBeNull();
  });

  it('refuses a language the console does not have, and a request without the CSRF token', async () => {
    const a = await createStaff(env.app, 'analyst');
    const who = await login(env.url, a.email, a.password);
    const bad = await api(env.url, who, 'PATCH', '/api/auth/me', { language: 'sr' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_payload');
    const noCsrf = await api(env.url, { ...who, csrfToken: 'wrong' }, 'PATCH', '/api/auth/me', { language: 'bg' });
    expect(noCsrf.status).toBe(403);
    expect((await api(env.url, who, 'GET', '/api/auth/me')).body.profile.language).toBeNull();
  });
});
