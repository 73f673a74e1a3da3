// Alerts from the first draft to the public feeds: four eyes (never the author, only analysts and
// admins), typed errors, every change audited, the JSON and Atom feeds cacheable with ETags and 304s,
// the Atom feed well-formed XML carrying text as text, and expiry taking an alert off the feeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createStaff, login, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';
import { offsetClock } from '../../src/infra/clock.js';
import { alertInput, HOUR, parseXml } from './support.js';

let env: TestEnv;
const clock = offsetClock();
let analyst: LoggedIn;
let analyst2: LoggedIn;
let admin: LoggedIn;
let supervisor: LoggedIn;
let counsellor: LoggedIn;

beforeAll(async () => {
  env = await startTestEnv({}, { clock });
  const who = async (role: 'analyst' | 'admin' | 'supervisor' | 'counsellor', name?: string) => {
    const s = await createStaff(env.app, role, name ? { name } : {});
    return login(env.url, s.email, s.password);
  };
  analyst = await who('analyst', 'Ana Analyst');
  analyst2 = await who('analyst', 'Boris Second');
  admin = await who('admin');
  supervisor = await who('supervisor');
  counsellor = await who('counsellor');
});
afterAll(async () => {
  await env?.close();
});

const feed = (lang: string, headers: Record<string, string> = {}) => fetch(`${env.url}/api/public/alerts?lang=${encodeURIComponent(lang)}`, { headers });
const atom = (lang: string, headers: Record<string, string> = {}) => fetch(`${env.url}/alerts.atom?lang=${encodeURIComponent(lang)}`, { headers });
const auditOf = async (id: string) => (await env.app.audit.search({ targetType: 'alert', targetId: id })).reverse();

describe('the four-eyes path', () => {
  let id = '';

  it('an analyst writes a draft; it is not public', async () => {
    const res = await api(env.url, analyst, 'POST', '/api/alerts', alertInput({ title: 'Fake <b>parcel</b> & "prize" messages' }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ state: 'draft', severity: 'warning', author: { id: analyst.profile.id, name: 'Ana Analyst' }, approvedBy: null });
    id = res.body.id;
    expect((await (await feed('en')).json()).alerts).toEqual([]);
  });

  it('only the author edits the draft, and nobody approves a draft', async () => {
    const other = await api(env.url, analyst2, 'PUT', `/api/alerts/${id}`, alertInput({ title: 'Hijacked' }));
    expect(other).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    const early = await api(env.url, analyst2, 'POST', `/api/alerts/${id}/approve`);
    expect(early).toMatchObject({ status: 409, body: { error: { code: 'invalid_state' } } });
    const mine = await api(env.url, analyst, 'PUT', `/api/alerts/${id}`, { ...alertInput({ title: 'Fake <b>parcel</b> & "prize" messages' }), severity: 'urgent' });
    expect(mine).toMatchObject({ status: 200, body: { state: 'draft', severity: 'urgent' } });
  });

  it('submitting needs every language of the centre (Serbian Latin is generated)', async () => {
    const partial = await api(env.url, analyst, 'POST', '/api/alerts', alertInput({ languages: ['en', 'bg'] }));
    const refused = await api(env.url, analyst, 'POST', `/api/alerts/${partial.body.id}/submit`);
    expect(refused).toMatchObject({ status: 400, body: { error: { code: 'invalid_payload', fields: [{ path: 'texts.sr-Cyrl', message: 'missing' }] } } });
    const ok = await api(env.url, analyst, 'POST', `/api/alerts/${id}/submit`);
    expect(ok).toMatchObject({ status: 200, body: { state: 'awaiting_approval' } });
    expect(ok.body.submittedAt).toBeTruthy();
    const edit = await api(env.url, analyst, 'PUT', `/api/alerts/${id}`, alertInput());
    expect(edit.body.error.code).toBe('invalid_state');
  });

  it('the author cannot approve; nor can a supervisor or counsellor; a second analyst can', async () => {
    const self = await api(env.url, analyst, 'POST', `/api/alerts/${id}/approve`);
    expect(self).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(self.body.error.message).toMatch(/second person/);
    for (const who of [supervisor, counsellor]) {
      const r = await api(env.url, who, 'POST', `/api/alerts/${id}/approve`);
      expect(r).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    }
    expect((await (await feed('en')).json()).alerts).toEqual([]);
    const ok = await api(env.url, analyst2, 'POST', `/api/alerts/${id}/approve`);
    expect(ok).toMatchObject({ status: 200, body: { state: 'published', author: { name: 'Ana Analyst' }, approvedBy: { id: analyst2.profile.id, name: 'Boris Second' } } });
    const again = await api(env.url, admin, 'POST', `/api/alerts/${id}/approve`);
    expect(again.body.error.code).toBe('invalid_state');
  });

  it('the JSON feed has it in each language, Serbian Latin transliterated, text as it was written', async () => {
    const en = await (await feed('en')).json();
    expect(en).toMatchObject({ language: 'en', alerts: [{ id, severity: 'urgent', language: 'en', title: 'Fake <b>parcel</b> & "prize" messages' }] });
    const bg = await (await feed('bg-BG')).json();
    expect(bg.alerts[0]).toMatchObject({ language: 'bg', title: 'Fake <b>parcel</b> & "prize" messages (bg)' });
    const latn = await (await feed('sr-Latn')).json();
    expect(latn.alerts[0]).toMatchObject({ language: 'sr-Latn', advice: 'Ne otvaraj link. Reci odrasloj osobi kojoj veruješ.' });
    // Accept-Language when there is no lang=, and the centre's default for one it lacks.
    const byHeader = await (await fetch(`${env.url}/api/public/alerts`, { headers: { 'accept-language': 'sr-Cyrl-RS,sr;q=0.9' } })).json();
    expect(byHeader.language).toBe('sr-Cyrl');
    const de = await (await feed('de')).json();
    expect(de.language).toBe('bg');
  });

  it('the JSON feed is cacheable: ETag, max-age, 304 on If-None-Match, a new ETag when it changes', async () => {
    const r1 = await feed('en');
    const etag = r1.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]{20,}"$/);
    expect(r1.headers.get('cache-control')).toBe('public, max-age=60');
    expect(r1.headers.get('content-type')).toMatch(/^application\/json/);
    const r2 = await feed('en', { 'if-none-match': etag });
    expect(r2.status).toBe(304);
    expect(await r2.text()).toBe('');
    expect((await feed('en', { 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
    expect((await feed('en', { 'if-none-match': '"stale"' })).status).toBe(200);
    expect((await feed('bg')).headers.get('etag')).not.toBe(etag);

    const second = await api(env.url, admin, 'POST', '/api/alerts', alertInput({ title: 'Gift card scam', severity: 'info' }));
    await api(env.url, admin, 'POST', `/api/alerts/${second.body.id}/submit`);
    await api(env.url, analyst, 'POST', `/api/alerts/${second.body.id}/approve`);
    const r3 = await feed('en', { 'if-none-match': etag });
    expect(r3.status).toBe(200);
    expect(r3.headers.get('etag')).not.toBe(etag);
    expect((await r3.json()).alerts.map((a: any) => a.title)).toEqual(['Gift card scam', 'Fake <b>parcel</b> & "prize" messages']);
  });

  it('the Atom feed is well-formed XML with the right entries, text escaped, cacheable', async () => {
    const r = await atom('bg');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const body = await r.text();
    expect(body).not.toContain('<b>');
    const doc = parseXml(body);
    expect(doc.root).toBe('{http://www.w3.org/2005/Atom}feed');
    expect(doc.entries.map((e) => e.title)).toEqual(['Gift card scam (bg)', 'Fake <b>parcel</b> & "prize" messages (bg)']);
    expect(doc.entries[1]).toMatchObject({ id: `urn:uuid:${id}`, lang: 'bg', category: 'urgent' });
    expect(doc.entries[1]!.content).toContain('Не отваряй линка.');
    const etag = r.headers.get('etag')!;
    expect((await atom('bg', { 'if-none-match': etag })).status).toBe(304);
  });

  it('withdrawal takes it off both feeds at once', async () => {
    const w = await api(env.url, analyst2, 'POST', `/api/alerts/${id}/withdraw`);
    expect(w).toMatchObject({ status: 200, body: { state: 'withdrawn', withdrawnBy: { id: analyst2.profile.id } } });
    expect((await (await feed('en')).json()).alerts.map((a: any) => a.id)).not.toContain(id);
    expect(parseXml(await (await atom('en')).text()).entries.map((e) => e.id)).not.toContain(`urn:uuid:${id}`);
    expect((await api(env.url, analyst2, 'POST', `/api/alerts/${id}/withdraw`)).body.error.code).toBe('invalid_state');
  });

  it('every change is in the audit log, by whom, with the states it moved between', async () => {
    const rows = await auditOf(id);
    expect(rows.map((r) => [r.action, r.actorId, r.meta?.from, r.meta?.to])).toEqual([
      ['alert.create', analyst.profile.id, undefined, undefined],
      ['alert.update', analyst.profile.id, 'draft', 'draft'],
      ['alert.submit', analyst.profile.id, 'draft', 'awaiting_approval'],
      ['alert.approve', analyst2.profile.id, 'awaiting_approval', 'published'],
      ['alert.withdraw', analyst2.profile.id, 'published', 'withdrawn'],
    ]);
    // Refused attempts change nothing and leave no "change" row.
    expect(JSON.stringify(rows)).not.toContain('Fake');
  });

  it('a reviewer sends a submitted alert back to its author as a draft', async () => {
    const a = await api(env.url, analyst, 'POST', '/api/alerts', alertInput());
    await api(env.url, analyst, 'POST', `/api/alerts/${a.body.id}/submit`);
    expect((await api(env.url, analyst, 'POST', `/api/alerts/${a.body.id}/send-back`)).status).toBe(403);
    const back = await api(env.url, admin, 'POST', `/api/alerts/${a.body.id}/send-back`);
    expect(back.body).toMatchObject({ state: 'draft', submittedAt: null });
  });
});

describe('bad input and roles', () => {
  it('refuses wrong shapes, over-long texts, control characters and past expiry with typed errors', async () => {
    const bad = async (body: unknown) => (await api(env.url, analyst, 'POST', '/api/alerts', body)).body.error.code;
    expect(await bad({ ...alertInput(), severity: 'panic' })).toBe('invalid_payload');
    expect(await bad({ ...alertInput(), texts: {} })).toBe('invalid_payload');
    expect(await bad({ ...alertInput(), texts: { de: alertInput().texts.en } })).toBe('invalid_payload');
    expect(await bad({ ...alertInput(), texts: { en: { title: '  ', text: 'x', advice: 'y' } } })).toBe('invalid_payload');
    expect(await bad({ ...alertInput(), texts: { en: { title: 'x'.repeat(121), text: 'x', advice: 'y' } } })).toBe('too_large');
    expect(await bad({ ...alertInput(), texts: { en: { title: 'bell\u0007', text: 'x', advice: 'y' } } })).toBe('invalid_payload');
    expect(await bad({ ...alertInput(), html: '<p>' })).toBe('invalid_payload');
    expect(await bad(alertInput({ expiresInMs: -HOUR }))).toBe('invalid_payload');
    expect(await bad(alertInput({ expiresInMs: 400 * 24 * HOUR }))).toBe('invalid_payload');
    expect(await bad({ ...alertInput(), expiresAt: 'tomorrow' })).toBe('invalid_payload');
    const missing = await api(env.url, analyst, 'POST', '/api/alerts/00000000-0000-4000-8000-000000000000/approve');
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect((await api(env.url, analyst, 'POST', '/api/alerts/not-a-uuid/approve')).body.error.code).toBe('invalid_payload');
    expect((await feed('x'.repeat(40))).status).toBe(413);
  });

  it('counsellors and supervisors neither read nor write alerts; the anonymous need a login', async () => {
    for (const who of [counsellor, supervisor]) {
      expect((await api(env.url, who, 'GET', '/api/alerts')).status).toBe(403);
      expect((await api(env.url, who, 'POST', '/api/alerts', alertInput())).status).toBe(403);
    }
    expect((await api(env.url, null, 'GET', '/api/alerts')).status).toBe(401);
    expect((await api(env.url, admin, 'GET', '/api/alerts')).status).toBe(200);
  });
});

describe('expiry', () => {
  it('the feeds are never cached past the next expiry', async () => {
    const soon = await api(env.url, analyst, 'POST', '/api/alerts', alertInput({ title: 'Ends in a minute', expiresInMs: 40_000 }));
    await api(env.url, analyst, 'POST', `/api/alerts/${soon.body.id}/submit`);
    expect((await api(env.url, admin, 'POST', `/api/alerts/${soon.body.id}/approve`)).body.state).toBe('published');
    for (const r of [await feed('en'), await atom('en')]) expect(Number(/max-age=(\d+)/.exec(r.headers.get('cache-control')!)![1])).toBeLessThanOrEqual(40);
    await api(env.url, admin, 'POST', `/api/alerts/${soon.body.id}/withdraw`);
  });

  it('an alert leaves the feeds when it expires, shows as expired, and cannot be approved once expired', async () => {
    const a = await api(env.url, analyst, 'POST', '/api/alerts', alertInput({ title: 'Short-lived', expiresInMs: 2 * HOUR }));
    await api(env.url, analyst, 'POST', `/api/alerts/${a.body.id}/submit`);
    await api(env.url, admin, 'POST', `/api/alerts/${a.body.id}/approve`);
    const late = await api(env.url, analyst, 'POST', '/api/alerts', alertInput({ title: 'Never approved', expiresInMs: 2 * HOUR }));
    await api(env.url, analyst, 'POST', `/api/alerts/${late.body.id}/submit`);
    const before = await feed('en');
    expect((await before.clone().json()).alerts.map((x: any) => x.title)).toContain('Short-lived');
    // The max-age never outlives the next expiry.
    expect(Number(/max-age=(\d+)/.exec(before.headers.get('cache-control')!)![1])).toBeLessThanOrEqual(60);

    clock.advance(3 * HOUR);
    const after = await (await feed('en')).json();
    expect(after.alerts.map((x: any) => x.title)).not.toContain('Short-lived');
    expect(parseXml(await (await atom('en')).text()).entries.map((e) => e.title)).not.toContain('Short-lived');
    const list = (await api(env.url, analyst, 'GET', '/api/alerts')).body.alerts;
    expect(list.find((x: any) => x.id === a.body.id).state).toBe('expired');
    const approve = await api(env.url, admin, 'POST', `/api/alerts/${late.body.id}/approve`);
    expect(approve.body.error.code).toBe('invalid_state');
  });
});
