// Administration over HTTP: staff accounts and centre settings, admins only, every change audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, api, connected, createStaff, login, next, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';

let env: TestEnv;
let admin: LoggedIn;
beforeAll(async () => {
  env = await startTestEnv();
  const a = await createStaff(env.app, 'admin');
  admin = await login(env.url, a.email, a.password);
});
afterAll(async () => {
  await env?.close();
});

describe('staff accounts', () => {
  it('creates, edits and disables a counsellor', async () => {
    const created = await api(env.url, admin, 'POST', '/api/admin/staff', {
      email: 'New.Counsellor@Centre.test',
      name: 'Nina',
      role: 'counsellor',
      password: 'a-long-password-1',
      languages: ['bg'],
      topics: ['parents'],
      capacity: 2,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'new.counsellor@centre.test', role: 'counsellor', languages: ['bg'], topics: ['parents'], capacity: 2, disabled: false });
    const id = created.body.id as string;
    expect((await api(env.url, admin, 'POST', '/api/admin/staff', { email: 'new.counsellor@centre.test', name: 'N', role: 'counsellor', password: 'a-long-password-1' })).status).toBe(409);

    const nina = await login(env.url, 'new.counsellor@centre.test', 'a-long-password-1');
    const edited = await api(env.url, admin, 'PATCH', `/api/admin/staff/${id}`, { languages: ['bg', 'en'], capacity: 3, name: 'Nina P.' });
    expect(edited.body).toMatchObject({ languages: ['bg', 'en'], capacity: 3, name: 'Nina P.' });
    expect((await api(env.url, admin, 'GET', '/api/admin/staff')).body.staff.map((s: any) => s.id)).toContain(id);

    // Disabling ends her live connection and her session at once.
    const sock = agentClient(env.url, nina);
    await connected(sock);
    const gone = next(sock, 'disconnect' as never);
    const disabled = await api(env.url, admin, 'PATCH', `/api/admin/staff/${id}`, { disabled: true });
    expect(disabled.body).toMatchObject({ disabled: true });
    await gone;
    expect((await api(env.url, nina, 'GET', '/api/auth/me')).status).toBe(401);
    await expect(login(env.url, 'new.counsellor@centre.test', 'a-long-password-1')).rejects.toThrow();
    expect((await api(env.url, admin, 'PATCH', `/api/admin/staff/${id}`, { disabled: false })).body).toMatchObject({ disabled: false });
    await login(env.url, 'new.counsellor@centre.test', 'a-long-password-1');

    const audit = await env.app.audit.search({ targetType: 'staff', targetId: id });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['staff.create', 'staff.update', 'agent.capacity']));
    expect(JSON.stringify(audit)).not.toContain('a-long-password-1');
  });

  it('sets a new password for a counsellor who forgot hers: signed out everywhere, the old one refused', async () => {
    const created = await api(env.url, admin, 'POST', '/api/admin/staff', { email: 'forgot@centre.test', name: 'Vera', role: 'counsellor', password: 'the-old-password-1' });
    const id = created.body.id as string;
    const vera = await login(env.url, 'forgot@centre.test', 'the-old-password-1');
    const sock = agentClient(env.url, vera);
    await connected(sock);
    const gone = next(sock, 'disconnect' as never);
    expect((await api(env.url, admin, 'PATCH', `/api/admin/staff/${id}`, { password: 'short' })).status).toBe(400);
    const reset = await api(env.url, admin, 'PATCH', `/api/admin/staff/${id}`, { password: 'the-new-password-2' });
    expect(reset.status).toBe(200);
    expect(JSON.stringify(reset.body)).not.toContain('password');
    await gone;
    expect((await api(env.url, vera, 'GET', '/api/auth/me')).status).toBe(401);
    await expect(login(env.url, 'forgot@centre.test', 'the-old-password-1')).rejects.toThrow();
    const again = await login(env.url, 'forgot@centre.test', 'the-new-password-2');
    expect(again.profile.id).toBe(id);
    const audit = await env.app.audit.search({ targetType: 'staff', targetId: id });
    expect(audit.map((a) => a.action)).toContain('staff.password_reset');
    expect(JSON.stringify(audit)).not.toMatch(/the-(old|new)-password/);
    // Only admins: a supervisor cannot set anyone's password.
    const s = await createStaff(env.app, 'supervisor');
    const sup = await login(env.url, s.email, s.password);
    expect((await api(env.url, sup, 'PATCH', `/api/admin/staff/${id}`, { password: 'a-supervisor-pick-3' })).status).toBe(403);
  });

  it('refuses bad input, self-lockout, other roles and requests without CSRF', async () => {
    expect((await api(env.url, admin, 'POST', '/api/admin/staff', { email: 'x@y.test', name: 'X', role: 'root', password: 'a-long-password-1' })).status).toBe(400);
    expect((await api(env.url, admin, 'POST', '/api/admin/staff', { email: 'x@y.test', name: 'X', role: 'counsellor', password: 'short' })).status).toBe(400);
    expect((await api(env.url, admin, 'PATCH', `/api/admin/staff/${admin.profile.id}`, { disabled: true })).status).toBe(400);
    const s = await createStaff(env.app, 'supervisor');
    const sup = await login(env.url, s.email, s.password);
    expect((await api(env.url, sup, 'GET', '/api/admin/staff')).status).toBe(403);
    expect((await api(env.url, sup, 'PUT', '/api/admin/settings/hours', { enforced: true })).status).toBe(403);
    expect((await api(env.url, { ...admin, csrfToken: 'wrong' }, 'POST', '/api/admin/staff', { email: 'z@y.test', name: 'Z', role: 'counsellor', password: 'a-long-password-1' })).status).toBe(403);
  });
});

describe('settings', () => {
  it('saves hours, holidays, widget, risk words, service level, retention and channel weights', async () => {
    const all = await api(env.url, admin, 'GET', '/api/admin/settings');
    expect(Object.keys(all.body).sort()).toEqual(['channelTargets', 'channelWeights', 'hotlineRouting', 'hours', 'retention', 'riskWords', 'serviceLevel', 'surge', 'widget']);
    expect(all.body.channelWeights).toMatchObject({ chat: 100, email: 25, phone: 100 });
    expect((await api(env.url, admin, 'PUT', '/api/admin/settings/channelWeights', { email: 30 })).body).toMatchObject({ email: 30, chat: 100 });
    expect((await api(env.url, admin, 'PUT', '/api/admin/settings/channelWeights', { email: 0 })).status).toBe(400);
    expect((await api(env.url, admin, 'PUT', '/api/admin/settings/channelTargets', { fax: 60 })).status).toBe(400);

    const hours = await api(env.url, admin, 'PUT', '/api/admin/settings/hours', { enforced: true, weekly: { '1': [['08:00', '20:00']] }, holidays: ['2026-12-25'] });
    expect(hours.body).toMatchObject({ enforced: true, holidays: ['2026-12-25'], timeZone: 'Europe/Sofia' });
    expect((await api(env.url, admin, 'PUT', '/api/admin/settings/hours', { weekly: { '1': [['08:00', '25:00']] } })).status).toBe(400);
    expect((await api(env.url, admin, 'PUT', '/api/admin/settings/hours', { timeZone: 'Mars/Olympus' })).status).toBe(400);

    const widget = await api(env.url, admin, 'PUT', '/api/admin/settings/widget', { primaryColor: '#aa0000', allowedOrigins: ['https://www.centre.test'], exitUrl: 'https://weather.example' });
    expect(widget.body).toMatchObject({ primaryColor: '#aa0000', allowedOrigins: ['https://www.centre.test'] });
    expect((await api(env.url, admin, 'PUT', '/api/admin/settings/widget', { allowedOrigins: ['https://www.centre.test/path'] })).status).toBe(400);
    expect((await api(env.url, admin, 'PUT', '/api/admin/settings/widget', { exitUrl: 'javascript:alert(1)' })).status).toBe(400);

    const risk = await api(env.url, admin, 'PUT', '/api/admin/settings/riskWords', { en: ['end it all', 'hurt myself'] });
    expect(risk.body.en).toEqual(['end it all', 'hurt myself']);
    expect((await api(env.url, admin, 'PUT', '/api/admin/settings/serviceLevel', { targetSeconds: 45 })).body).toMatchObject({ targetSeconds: 45, urgentAlertSeconds: 30 });
    expect((await api(env.url, admin, 'PUT', '/api/admin/settings/retention', { transcriptDays: 30 })).body).toMatchObject({ transcriptDays: 30, auditDays: 730 });
    // No "keep forever" zero: the purge would read 0 days as "everything".
    expect((await api(env.url, admin, 'PUT', '/api/admin/settings/retention', { transcriptDays: 0 })).status).toBe(400);
    expect((await api(env.url, admin, 'PUT', '/api/admin/settings/nope', {})).status).toBe(400);

    const audit = (await api(env.url, admin, 'GET', '/api/admin/audit?action=settings.update')).body.events;
    expect(audit.map((a: any) => a.targetId).sort()).toEqual(['channelWeights', 'hours', 'retention', 'riskWords', 'serviceLevel', 'widget']);
    expect(JSON.stringify(audit)).not.toContain('hurt myself');
  });
});
