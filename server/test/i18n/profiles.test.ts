// Centre profiles: the first start applies the CENTRE_PROFILE setting; an admin applies another in the
// admin pages; each sets its country's languages, time zone, holidays, phone line, routing, risk words
// and adds its institutions; nothing is deleted and everything stays editable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createStaff, login, startTestEnv, type TestEnv } from '../helpers.js';
import { orthodoxEaster, publicHolidays } from '../../src/profiles/holidays.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ CENTRE_PROFILE: 'sr' });
});
afterAll(async () => {
  await env?.close();
});

describe('public holidays', () => {
  it('have Orthodox Easter on the right Sunday and each country\'s fixed days', () => {
    expect(orthodoxEaster(2026).toISOString().slice(0, 10)).toBe('2026-04-12');
    expect(orthodoxEaster(2027).toISOString().slice(0, 10)).toBe('2027-05-02');
    expect(orthodoxEaster(2025).toISOString().slice(0, 10)).toBe('2025-04-20');
    const rs = publicHolidays('RS', [2026]);
    expect(rs).toEqual(expect.arrayContaining(['2026-01-07', '2026-02-15', '2026-11-11', '2026-04-10', '2026-04-13']));
    expect(rs).not.toContain('2026-03-03');
    expect(publicHolidays('BG', [2026])).toEqual(expect.arrayContaining(['2026-03-03', '2026-05-24', '2026-09-22', '2026-04-12']));
  });
});

describe('centre profiles', () => {
  it('applies the configured profile on first start: Serbia', async () => {
    const widget = await env.app.settings.get('widget');
    expect(widget).toMatchObject({ languages: ['sr-Cyrl', 'sr-Latn', 'en'], defaultLanguage: 'sr-Cyrl', phoneLine: '19833' });
    const hours = await env.app.settings.get('hours');
    expect(hours.timeZone).toBe('Europe/Belgrade');
    expect(hours.holidays).toContain(`${new Date().getUTCFullYear()}-01-07`);
    expect(await env.app.settings.get('hotlineRouting')).toEqual({ countryCode: 'RS', policeUnit: 'Посебно тужилаштво за високотехнолошки криминал', nationalMemberCode: 'rs-net-patrola' });
    const names = (await env.app.referrals.listInstitutions()).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['Посебно тужилаштво за високотехнолошки криминал', 'Министарство просвете', 'Министарство здравља', 'Министарство за рад, запошљавање, борачка и социјална питања']));
    expect(names.some((n) => n.startsWith('Министарство унутрашњих послова'))).toBe(true);
    // Not Bulgaria's seed on top.
    expect(names).not.toContain('State Agency for Child Protection');
    const risk = await env.app.settings.get('riskWords');
    expect(risk['sr-Cyrl']).toContain('самоубиств');
    expect(risk['sr-Latn']).toContain('samoubistv');
    expect((await env.app.profiles.state()).current).toBe('sr');
  });

  it('lets an admin switch to Bulgaria without losing edits or data, and stays editable', async () => {
    const admin = await createStaff(env.app, 'admin');
    const who = await login(env.url, admin.email, admin.password);
    // The centre's own edits before the switch.
    const own = await api(env.url, who, 'POST', '/api/institutions', { name: 'Локални центар за младе', kind: 'other' });
    expect(own.status).toBeLessThan(300);
    await api(env.url, who, 'PUT', '/api/admin/settings/riskWords', { ...(await env.app.settings.get('riskWords')), 'sr-Latn': ['moja rec', 'samoubistv'], en: ['my own word'] });
    await api(env.url, who, 'PUT', '/api/admin/settings/hours', { holidays: ['2030-06-01'] });

    const state = await api(env.url, who, 'GET', '/api/admin/profile');
    expect(state.body.current).toBe('sr');
    expect(state.body.profiles.map((p: { id: string }) => p.id)).toEqual(['bg', 'sr', 'neutral']);
    expect((await api(env.url, who, 'PUT', '/api/admin/profile', { id: 'fr' })).status).toBe(400);

    const applied = await api(env.url, who, 'PUT', '/api/admin/profile', { id: 'bg' });
    expect(applied.status).toBe(200);
    expect(applied.body.current).toBe('bg');
    env.app.settings.clearCache();
    expect(await env.app.settings.get('widget')).toMatchObject({ languages: ['bg', 'en'], defaultLanguage: 'bg', phoneLine: '124 123' });
    const hours = await env.app.settings.get('hours');
    expect(hours.timeZone).toBe('Europe/Sofia');
    expect(hours.holidays).toEqual(expect.arrayContaining(['2030-06-01', `${new Date().getUTCFullYear()}-03-03`]));
    const names = (await env.app.referrals.listInstitutions(true)).map((i) => i.name);
    expect(names).toEqual(expect.arrayContaining(['Локални центар за младе', 'Посебно тужилаштво за високотехнолошки криминал', 'Cybercrime Directorate (GDBOP), Ministry of Interior', 'State Agency for Child Protection']));
    const risk = await env.app.settings.get('riskWords');
    expect(risk['sr-Latn']).toContain('moja rec');
    // English is in both profiles: the centre's own word stays beside the defaults.
    expect(risk.en).toEqual(expect.arrayContaining(['my own word', 'suicid']));
    expect(risk.bg).toContain('самоубийств');
    const routing = await api(env.url, who, 'GET', '/api/hotline/routing');
    expect(routing.body).toEqual({ countryCode: 'BG', policeUnit: 'Cybercrime Directorate (GDBOP), Ministry of Interior', nationalMemberCode: 'bg-safenet' });

    // Editable after: the routing like any other setting; applying the same profile again adds nothing twice.
    expect((await api(env.url, who, 'PUT', '/api/admin/settings/hotlineRouting', { policeUnit: 'ГДБОП' })).status).toBe(200);
    env.app.settings.clearCache();
    expect((await env.app.settings.get('hotlineRouting')).policeUnit).toBe('ГДБОП');
    await api(env.url, who, 'PUT', '/api/admin/profile', { id: 'bg' });
    const again = (await env.app.referrals.listInstitutions(true)).map((i) => i.name);
    expect(again.length).toBe(names.length);
    const counsellor = await createStaff(env.app, 'counsellor');
    const cw = await login(env.url, counsellor.email, counsellor.password);
    expect((await api(env.url, cw, 'PUT', '/api/admin/profile', { id: 'neutral' })).status).toBe(403);
  });
});
