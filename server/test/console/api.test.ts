// The console's server additions: internal notes, canned responses, institutions and referrals (four
// eyes for police), return codes, contacts from other channels, the staff directory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { agentClient, api, call, connected, createStaff, eventually, login, next, startTestEnv, widgetClient, type LoggedIn, type TestEnv, type AgentClient, type WidgetClient } from '../helpers.js';
import { caseRecords } from '../../src/cases/tables.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.close();
});

async function activeConversation(): Promise<{ who: LoggedIn; agent: AgentClient; child: WidgetClient; conversationId: string; token: string }> {
  const staff = await createStaff(env.app, 'counsellor', { capacity: 3 });
  const who = await login(env.url, staff.email, staff.password);
  const agent = agentClient(env.url, who);
  await connected(agent);
  await call(agent, 'agent:status', { status: 'available' });
  // Offers are collected from the start: an earlier test's requeued conversation may come first.
  const offers: any[] = [];
  agent.on('offer:new', (o) => void offers.push(o));
  const child = widgetClient(env.url);
  await connected(child);
  const started = await call(child, 'conversation:start', { language: 'en' });
  if (!started.ok) throw new Error('start failed');
  const offer = await eventually(async () => offers.find((o) => o.conversation.id === started.data.conversation.id));
  const acc = await call(agent, 'offer:accept', { offerId: offer.offerId });
  expect(acc.ok).toBe(true);
  // Later conversations go to the next counsellor created, not this one.
  await call(agent, 'agent:status', { status: 'away' });
  return { who, agent, child, conversationId: started.data.conversation.id, token: started.data.token };
}

describe('internal notes', () => {
  it('reach the assigned counsellor and watching supervisors, never the child or other counsellors', async () => {
    const { who, agent, child, conversationId } = await activeConversation();
    const other = await createStaff(env.app, 'counsellor');
    const otherWho = await login(env.url, other.email, other.password);
    const otherAgent = agentClient(env.url, otherWho);
    await connected(otherAgent);
    let childSaw = false;
    child.on('message:new', (m) => {
      if (m.body.includes('secret note')) childSaw = true;
    });

    const pushed = next(agent, 'note:new');
    const ack = await call(agent, 'note:add', { conversationId, body: 'secret note: check for grooming' });
    expect(ack).toMatchObject({ ok: true, data: { conversationId, body: 'secret note: check for grooming' } });
    expect((await pushed).body).toBe('secret note: check for grooming');

    expect(await call(otherAgent, 'note:add', { conversationId, body: 'x' })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect((await api(env.url, otherWho, 'GET', `/api/conversations/${conversationId}/notes`)).status).toBe(403);
    expect(await call(agent, 'note:add', { conversationId, body: '   ' })).toMatchObject({ ok: false, error: { code: 'invalid_payload' } });

    const list = await api(env.url, who, 'GET', `/api/conversations/${conversationId}/notes`);
    expect(list.status).toBe(200);
    expect(list.body.notes.map((n: any) => n.body)).toEqual(['secret note: check for grooming']);

    const sup = await createStaff(env.app, 'supervisor');
    const supWho = await login(env.url, sup.email, sup.password);
    expect((await api(env.url, supWho, 'GET', `/api/conversations/${conversationId}/notes`)).body.notes).toHaveLength(1);
    const adm = await createStaff(env.app, 'admin');
    expect((await api(env.url, await login(env.url, adm.email, adm.password), 'GET', `/api/conversations/${conversationId}/notes`)).status).toBe(403);
    const history = await env.app.conversations.history(conversationId, 0);
    expect(history.some((m) => m.body.includes('secret note'))).toBe(false);
    expect(childSaw).toBe(false);
    for (const s of [agent, otherAgent, child]) s.disconnect();
  });
});

describe('canned responses', () => {
  it('are seeded per language on first read, readable by counsellors, managed by admins', async () => {
    const c = await createStaff(env.app, 'counsellor');
    const cw = await login(env.url, c.email, c.password);
    const a = await createStaff(env.app, 'admin');
    const aw = await login(env.url, a.email, a.password);
    const bg = await api(env.url, cw, 'GET', '/api/canned?language=bg');
    expect(bg.status).toBe(200);
    expect(bg.body.responses.length).toBeGreaterThan(3);
    expect(bg.body.responses.every((r: any) => r.language === 'bg')).toBe(true);
    const again = await api(env.url, cw, 'GET', '/api/canned?language=bg');
    expect(again.body.responses).toHaveLength(bg.body.responses.length);

    expect((await api(env.url, cw, 'POST', '/api/canned', { language: 'bg', shortcut: 'x', title: 'x', body: 'x' })).status).toBe(403);
    const created = await api(env.url, aw, 'POST', '/api/canned', { language: 'sr-Latn', shortcut: 'test', title: 'Test', body: 'Zdravo!' });
    expect(created.status).toBe(200);
    const sr = await api(env.url, cw, 'GET', '/api/canned?language=sr-Latn');
    expect(sr.body.responses.map((r: any) => r.shortcut)).toContain('test');
    expect(sr.body.responses.length).toBeGreaterThan(1);
    const upd = await api(env.url, aw, 'PUT', `/api/canned/${created.body.id}`, { language: 'sr-Latn', shortcut: 'test', title: 'Test 2', body: 'Zdravo!!' });
    expect(upd.body.title).toBe('Test 2');
    expect((await api(env.url, aw, 'DELETE', `/api/canned/${created.body.id}`)).status).toBe(200);
    expect((await api(env.url, cw, 'GET', '/api/canned?language=sr-Latn')).body.responses.map((r: any) => r.shortcut)).not.toContain('test');
    expect((await api(env.url, aw, 'POST', '/api/canned', { language: 'xx', shortcut: 'a', title: 'a', body: 'a' })).body.error.code).toBe('invalid_payload');
  });
});

describe('institutions and referrals', () => {
  it('records ordinary referrals and holds police referrals for a second person', async () => {
    const { who, agent, child, conversationId } = await activeConversation();
    const inst = await api(env.url, who, 'GET', '/api/institutions');
    expect(inst.status).toBe(200);
    const police = inst.body.institutions.find((i: any) => i.kind === 'police');
    const social = inst.body.institutions.find((i: any) => i.kind === 'social-services');
    expect(police && social).toBeTruthy();

    const r1 = await api(env.url, who, 'POST', '/api/referrals', { institutionId: social.id, conversationId });
    expect(r1.body.status).toBe('recorded');
    const r2 = await api(env.url, who, 'POST', '/api/referrals', { institutionId: police.id, conversationId, note: 'sextortion, threats' });
    expect(r2.body.status).toBe('pending_approval');

    // A supervisor who asks cannot approve their own referral.
    const s1 = await createStaff(env.app, 'supervisor');
    const s1w = await login(env.url, s1.email, s1.password);
    const own = await api(env.url, s1w, 'POST', '/api/referrals', { institutionId: police.id, conversationId });
    expect(own.body.status).toBe('pending_approval');
    expect((await api(env.url, s1w, 'POST', `/api/referrals/${own.body.id}/approve`, {})).status).toBe(403);
    // A counsellor cannot approve at all.
    expect((await api(env.url, who, 'POST', `/api/referrals/${r2.body.id}/approve`, {})).status).toBe(403);

    const pending = await api(env.url, s1w, 'GET', '/api/referrals?status=pending_approval');
    expect(pending.body.referrals.map((r: any) => r.id)).toEqual(expect.arrayContaining([r2.body.id, own.body.id]));
    const ok = await api(env.url, s1w, 'POST', `/api/referrals/${r2.body.id}/approve`, { note: 'agreed' });
    expect(ok.body).toMatchObject({ status: 'approved', decidedBy: s1.profile.id });
    expect((await api(env.url, s1w, 'POST', `/api/referrals/${r2.body.id}/reject`, {})).status).toBe(409);

    // The case record lists them once it exists.
    const close = await api(env.url, who, 'POST', `/api/conversations/${conversationId}/close`, { contactType: 'child', categories: ['sextortion'], summary: 'threats' });
    expect(close.status).toBe(200);
    const cr = await api(env.url, who, 'GET', `/api/conversations/${conversationId}/case`);
    expect(cr.status).toBe(200);
    expect(cr.body.referrals).toHaveLength(3);

    // Admin CRUD.
    const a = await createStaff(env.app, 'admin');
    const aw = await login(env.url, a.email, a.password);
    const added = await api(env.url, aw, 'POST', '/api/institutions', { name: 'Ombudsman', kind: 'other' });
    expect(added.body.active).toBe(true);
    await api(env.url, aw, 'PUT', `/api/institutions/${added.body.id}`, { name: 'Ombudsman', kind: 'other', active: false });
    expect((await api(env.url, who, 'GET', '/api/institutions')).body.institutions.map((i: any) => i.id)).not.toContain(added.body.id);
    expect((await api(env.url, who, 'POST', '/api/institutions', { name: 'x', kind: 'other' })).status).toBe(403);
    agent.disconnect();
    child.disconnect();
  });
});

describe('return codes', () => {
  it('let a counsellor given the code see the child’s earlier cases, each read audited', async () => {
    const first = await activeConversation();
    const gen = await api(env.url, first.who, 'POST', `/api/conversations/${first.conversationId}/return-code`, {});
    expect(gen.status).toBe(200);
    expect(gen.body.code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    await api(env.url, first.who, 'POST', `/api/conversations/${first.conversationId}/close`, { contactType: 'child', categories: ['cyberbullying'], summary: 'bullied in class chat' });

    const other = await createStaff(env.app, 'counsellor');
    const ow = await login(env.url, other.email, other.password);
    const found = await api(env.url, ow, 'POST', '/api/cases/by-return-code', { code: gen.body.code.toLowerCase().replace('-', ' ') });
    expect(found.status).toBe(200);
    expect(found.body.cases).toHaveLength(1);
    expect(found.body.cases[0]).toMatchObject({ summary: 'bullied in class chat', categories: ['cyberbullying'], chiCategories: ['violence'] });
    const audit = await env.app.audit.search({ action: 'case.read_by_return_code', actorId: other.profile.id });
    expect(audit).toHaveLength(1);
    expect((await api(env.url, ow, 'POST', '/api/cases/by-return-code', { code: 'AAAAA-AAAAA' })).status).toBe(404);
    // Not the conversation's counsellor: no code.
    const again = await activeConversation();
    expect((await api(env.url, ow, 'POST', `/api/conversations/${again.conversationId}/return-code`, {})).status).toBe(403);
    for (const s of [first.agent, first.child, again.agent, again.child]) s.disconnect();
  });
});

describe('contacts from other channels and the staff directory', () => {
  it('logs a phone contact with the case record and lists counsellors with their load', async () => {
    const c = await createStaff(env.app, 'counsellor', { name: 'Boris' });
    const cw = await login(env.url, c.email, c.password);
    const logged = await api(env.url, cw, 'POST', '/api/contacts', { channel: 'phone', contactType: 'parent', categories: ['grooming', 'privacy'], summary: 'Mother worried about a stranger', ageGroup: '5-11' });
    expect(logged.status).toBe(201);
    expect(logged.body).toMatchObject({ channel: 'phone', conversationId: null, chiCategories: ['violence', 'peer-relationships'] });
    // The id answered is the stored case record's, filed under the counsellor, and its creation audited.
    const [stored] = await env.app.db.select().from(caseRecords).where(eq(caseRecords.id, logged.body.id));
    expect(stored).toMatchObject({ staffId: c.profile.id, channel: 'phone', conversationId: null, summary: 'Mother worried about a stranger' });
    expect(await env.app.audit.search({ action: 'case.create', actorId: c.profile.id })).toMatchObject([{ targetId: logged.body.id }]);
    const bad = await api(env.url, cw, 'POST', '/api/contacts', { channel: 'phone', contactType: 'parent', categories: [], summary: '' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: any) => f.path)).toEqual(expect.arrayContaining(['categories', 'summary']));
    expect((await api(env.url, cw, 'POST', '/api/contacts', { channel: 'chat', contactType: 'child', categories: ['other'], summary: 'x' })).status).toBe(400);

    const dir = await api(env.url, cw, 'GET', '/api/staff/counsellors');
    expect(dir.status).toBe(200);
    expect(dir.body.staff.find((s: any) => s.id === c.profile.id)).toMatchObject({ name: 'Boris', status: 'offline', load: 0, capacity: 2 });
  });
});
