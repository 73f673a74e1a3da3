// Forwarding follows the centre profile's hotline routing: content hosted in the centre's own country
// goes the national way (its police unit), content hosted abroad to that country's INHOPE member hotline
// (to the police where the country has none), and the centre's own member hotline is never a target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HotlineRouting } from '@helpline/shared';
import { api, createStaff, login, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';
import { forwardingFor } from '../../src/hotline/forwarding.js';
import { fileReport } from './support.js';

const RS: HotlineRouting = { countryCode: 'RS', policeUnit: 'Посебно тужилаштво за високотехнолошки криминал', nationalMemberCode: 'rs-net-patrola' };
const BG: HotlineRouting = { countryCode: 'BG', policeUnit: 'Cybercrime Directorate (GDBOP), Ministry of Interior', nationalMemberCode: 'bg-safenet' };
const url = (id: string, hostingCountry: string | null, classification = 'baseline') => ({ id, assessment: { classification, hostingCountry, assessedBy: null, assessedAt: '' } as never });

describe('forwarding suggestions', () => {
  it('send content hosted at home to the police unit and content hosted abroad to the member hotline there', () => {
    const urls = [url('a', 'RS'), url('b', 'nl'), url('c', 'BG'), url('d', 'GB'), url('e', 'BR'), url('f', 'RS')];
    expect(forwardingFor(urls, RS)).toEqual({
      countryCode: 'RS',
      nationalMember: expect.objectContaining({ code: 'rs-net-patrola', name: 'Net Patrola' }),
      suggestions: [
        { hostingCountry: 'RS', route: 'national', kind: 'police', receiver: RS.policeUnit, urlIds: ['a', 'f'] },
        { hostingCountry: 'NL', route: 'member', kind: 'inhope', receiver: 'nl-offlimits', urlIds: ['b'] },
        { hostingCountry: 'BG', route: 'member', kind: 'inhope', receiver: 'bg-safenet', urlIds: ['c'] },
        { hostingCountry: 'GB', route: 'member', kind: 'inhope', receiver: 'uk-iwf', urlIds: ['d'] },
        { hostingCountry: 'BR', route: 'no_member', kind: 'police', receiver: RS.policeUnit, urlIds: ['e'] },
      ],
    });
    // The same report seen from Bulgaria: Serbia is abroad, Bulgaria at home.
    const bg = forwardingFor(urls, BG).suggestions;
    expect(bg.find((s) => s.hostingCountry === 'RS')).toMatchObject({ route: 'member', receiver: 'rs-net-patrola' });
    expect(bg.find((s) => s.hostingCountry === 'BG')).toMatchObject({ route: 'national', kind: 'police', receiver: BG.policeUnit });
  });

  it('suggest nothing for legal or out-of-remit content or an unknown host, and have no home for a neutral centre', () => {
    const urls = [url('a', 'NL', 'not-illegal'), url('b', 'NL', 'harmful-but-legal'), url('c', 'NL', 'out-of-remit'), url('d', null)];
    expect(forwardingFor(urls, RS).suggestions).toEqual([]);
    const neutral = forwardingFor([url('a', 'RS'), url('b', 'XK')], { countryCode: '', policeUnit: '', nationalMemberCode: '' });
    expect(neutral.nationalMember).toBeNull();
    expect(neutral.suggestions).toEqual([
      { hostingCountry: 'RS', route: 'member', kind: 'inhope', receiver: 'rs-net-patrola', urlIds: ['a'] },
      { hostingCountry: 'XK', route: 'no_member', kind: 'police', receiver: '', urlIds: ['b'] },
    ]);
  });
});

describe('forwarding in a Serbian centre', () => {
  let env: TestEnv;
  let analyst: LoggedIn;
  beforeAll(async () => {
    env = await startTestEnv({ CENTRE_PROFILE: 'sr', HOTLINE_POW_BITS: '6' });
    const a = await createStaff(env.app, 'analyst');
    analyst = await login(env.url, a.email, a.password);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('suggests the profile’s police unit for content hosted in Serbia, the Dutch hotline for content in the Netherlands, and refuses its own', async () => {
    const filed = await fileReport(env.url, { urls: ['https://slike.example.rs/a', 'https://pics.example.nl/b'], contentType: 'image', language: 'sr-Latn' });
    expect(filed.status).toBe(200);
    const list = await api(env.url, analyst, 'GET', '/api/hotline/reports?status=open');
    const id = list.body.find((r: { reference: string }) => r.reference === filed.body.reference).id as string;
    const d0 = (await api(env.url, analyst, 'GET', `/api/hotline/reports/${id}`)).body;
    expect(d0.forwarding).toMatchObject({ countryCode: 'RS', nationalMember: { code: 'rs-net-patrola' }, suggestions: [] });
    const [u1, u2] = d0.urls;
    expect((await api(env.url, analyst, 'POST', `/api/hotline/reports/${id}/claim`, {})).status).toBe(200);
    await api(env.url, analyst, 'PUT', `/api/hotline/reports/${id}/urls/${u1.id}/assessment`, { classification: 'baseline', hostingCountry: 'rs' });
    const d = (await api(env.url, analyst, 'PUT', `/api/hotline/reports/${id}/urls/${u2.id}/assessment`, { classification: 'baseline', hostingCountry: 'NL' })).body;
    expect(d.status).toBe('assessed');
    expect(d.forwarding.suggestions).toEqual([
      { hostingCountry: 'RS', route: 'national', kind: 'police', receiver: 'Посебно тужилаштво за високотехнолошки криминал', urlIds: [u1.id] },
      { hostingCountry: 'NL', route: 'member', kind: 'inhope', receiver: 'nl-offlimits', urlIds: [u2.id] },
    ]);

    const own = await api(env.url, analyst, 'POST', `/api/hotline/reports/${id}/actions`, { kind: 'inhope', receiver: 'rs-net-patrola' });
    expect([own.status, own.body.error.code, own.body.error.fields[0].path]).toEqual([400, 'invalid_payload', 'receiver']);
    const nl = await api(env.url, analyst, 'POST', `/api/hotline/reports/${id}/actions`, { kind: 'inhope', receiver: 'nl-offlimits' });
    expect(nl.status).toBe(200);
    expect(nl.body.actions).toMatchObject([{ kind: 'inhope', receiver: 'nl-offlimits', countryCode: 'NL' }]);

    // An admin edits the routing afterwards: the suggestions follow at once.
    await env.app.settings.set('hotlineRouting', { ...(await env.app.settings.get('hotlineRouting')), policeUnit: 'Одељење за борбу против ВТК' });
    const after = (await api(env.url, analyst, 'GET', `/api/hotline/reports/${id}`)).body;
    expect(after.forwarding.suggestions[0]).toMatchObject({ route: 'national', receiver: 'Одељење за борбу против ВТК' });
  });
});
