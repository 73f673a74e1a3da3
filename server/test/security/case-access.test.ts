// Who reaches a case (issue 15, item 3): a referral is attached only to a case of the conversation it
// names and of the counsellor who makes it; admins manage the platform and read no case content (case
// records, referral notes, transfer notes), while their statistics stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, api, call, connected, createStaff, login, startTestEnv, type TestEnv } from '../helpers.js';
import { joinedChat } from '../faults/support.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ AUTO_ACCEPT: 'true' });
});
afterAll(async () => {
  await env?.close();
});

const CASE = { contactType: 'child', categories: ['sextortion'], summary: 'threatened to share photos' };

/** A counsellor's chat that she then closes with a case record; she goes away so the next chat goes elsewhere. */
async function closedCase() {
  const staff = await createStaff(env.app, 'counsellor');
  const chat = await joinedChat(env.url, staff);
  const closed = await api(env.url, chat.who, 'POST', `/api/conversations/${chat.conversationId}/close`, CASE);
  expect(closed.status).toBe(200);
  await call(chat.agent, 'agent:status', { status: 'away' });
  return { ...chat, staff, caseId: closed.body.caseRecord.id as string };
}

async function institution(who: Parameters<typeof api>[1], kind: string): Promise<string> {
  const list = await api(env.url, who, 'GET', '/api/institutions');
  return list.body.institutions.find((i: { kind: string }) => i.kind === kind).id;
}

describe('referrals', () => {
  it('cannot be attached to another counsellor’s case through one’s own conversation', async () => {
    const other = await closedCase();
    const mine = await closedCase();
    const live = await joinedChat(env.url, mine.staff);
    const police = await institution(live.who, 'police');
    const social = await institution(live.who, 'social-services');

    // Her own live conversation with the other counsellor's case: refused, police or not.
    for (const institutionId of [police, social]) {
      const r = await api(env.url, live.who, 'POST', '/api/referrals', { institutionId, conversationId: live.conversationId, caseId: other.caseId });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('forbidden');
    }
    // Her own case, but not the record of the conversation she names: refused too.
    const mismatch = await api(env.url, live.who, 'POST', '/api/referrals', { institutionId: social, conversationId: live.conversationId, caseId: mine.caseId });
    expect(mismatch.status).toBe(400);
    // Nothing reached the other counsellor's case.
    const read = await api(env.url, other.who, 'GET', `/api/conversations/${other.conversationId}/case`);
    expect(read.body.referrals).toEqual([]);

    // What she may do still works: her conversation alone, her case alone, and both when they match.
    expect((await api(env.url, live.who, 'POST', '/api/referrals', { institutionId: social, conversationId: live.conversationId })).status).toBe(200);
    expect((await api(env.url, mine.who, 'POST', '/api/referrals', { institutionId: social, caseId: mine.caseId })).status).toBe(200);
    const both = await api(env.url, mine.who, 'POST', '/api/referrals', { institutionId: police, conversationId: mine.conversationId, caseId: mine.caseId });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ status: 'pending_approval', caseId: mine.caseId });

    // A supervisor may act on any case, but still only on the record of the conversation named.
    const sup = await createStaff(env.app, 'supervisor');
    const supWho = await login(env.url, sup.email, sup.password);
    expect((await api(env.url, supWho, 'POST', '/api/referrals', { institutionId: social, conversationId: live.conversationId, caseId: other.caseId })).status).toBe(400);
    expect((await api(env.url, supWho, 'POST', '/api/referrals', { institutionId: social, conversationId: other.conversationId, caseId: other.caseId })).status).toBe(200);
    for (const s of [other.agent, other.child, mine.agent, mine.child, live.agent, live.child]) s.disconnect();
  });
});

describe('admins', () => {
  it('read no case record, referral or transfer note, and keep the statistics', async () => {
    const c = await closedCase();
    const police = await institution(c.who, 'police');
    const ref = await api(env.url, c.who, 'POST', '/api/referrals', { institutionId: police, caseId: c.caseId, note: 'named the adult' });
    expect(ref.status).toBe(200);
    const admin = await createStaff(env.app, 'admin');
    const aw = await login(env.url, admin.email, admin.password);

    expect((await api(env.url, aw, 'GET', `/api/conversations/${c.conversationId}/case`)).status).toBe(403);
    expect((await api(env.url, aw, 'GET', `/api/conversations/${c.conversationId}/referrals`)).status).toBe(403);
    expect((await api(env.url, aw, 'GET', '/api/referrals?status=pending_approval')).status).toBe(403);
    expect((await api(env.url, aw, 'POST', `/api/referrals/${ref.body.id}/approve`, {})).status).toBe(403);
    // Nor a transfer note through the view of a live conversation a priority change answers with.
    const live = await joinedChat(env.url, c.staff);
    const sock = agentClient(env.url, aw);
    await connected(sock);
    const prio = await call(sock, 'conversation:priority', { conversationId: live.conversationId, priority: 'high' });
    expect(prio).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    for (const s of [sock, live.agent, live.child]) s.disconnect();

    // The figures stay theirs.
    const stats = await api(env.url, aw, 'GET', '/api/stats');
    expect(stats.status).toBe(200);
    expect(JSON.stringify(stats.body)).not.toContain(CASE.summary);
    // A supervisor still reads the case and decides the referral.
    const sup = await createStaff(env.app, 'supervisor');
    const sw = await login(env.url, sup.email, sup.password);
    const read = await api(env.url, sw, 'GET', `/api/conversations/${c.conversationId}/case`);
    expect(read.status).toBe(200);
    expect(read.body.caseRecord.summary).toBe(CASE.summary);
    expect((await api(env.url, sw, 'POST', `/api/referrals/${ref.body.id}/approve`, {})).body.status).toBe('approved');
    c.agent.disconnect();
    c.child.disconnect();
  });
});
