// Privacy: retention periods per kind of data with an idempotent daily purge that keeps anonymous
// statistics; erasure of one child's data by their return code; an audit log of reads and changes,
// searchable by supervisors and admins (GET /api/audit).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, api, call, connected, createStaff, login, randomUUID, startTestEnv, TEST_REDIS_URL, widgetClient, type LoggedIn, type TestEnv } from '../helpers.js';
import { counsellorJoined } from '../faults/support.js';

let env: TestEnv;
let counsellor: LoggedIn;
let supervisor: LoggedIn;
beforeAll(async () => {
  env = await startTestEnv({ AUTO_ACCEPT: 'true' });
  const c = await createStaff(env.app, 'counsellor', { capacity: 5 });
  counsellor = await login(env.url, c.email, c.password);
  const s = await createStaff(env.app, 'supervisor');
  supervisor = await login(env.url, s.email, s.password);
});
afterAll(async () => {
  await env?.close();
});

/** A child's conversation, with messages both ways, closed with a case record. */
async function closedConversation(opts: { returnCode?: boolean } = {}) {
  const agent = agentClient(env.url, counsellor);
  await connected(agent);
  await call(agent, 'agent:hello');
  await call(agent, 'agent:status', { status: 'available' });
  const child = widgetClient(env.url);
  await connected(child);
  const started = await call(child, 'conversation:start', { language: 'en' });
  if (!started.ok) throw new Error('start failed');
  const conversationId = started.data.conversation.id as string;
  // Live or, when the greeting came before the child's socket joined its room, by resuming.
  await counsellorJoined(child, conversationId);
  await call(child, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'Someone is threatening to share my photos' });
  await call(agent, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'You did the right thing to write.' });
  let code: string | null = null;
  if (opts.returnCode) {
    const r = await api(env.url, counsellor, 'POST', `/api/conversations/${conversationId}/return-code`, {});
    expect(r.status).toBe(200);
    code = r.body.code;
  }
  const close = await api(env.url, counsellor, 'POST', `/api/conversations/${conversationId}/close`, { contactType: 'child', categories: ['sextortion'], summary: 'Sextortion by an online acquaintance; reported.' });
  expect(close.status).toBe(200);
  child.disconnect();
  agent.disconnect();
  return { conversationId, code, caseId: close.body.caseRecord.id as string };
}

describe('erasure by return code', () => {
  it('lets a supervisor erase a child\'s data, and audits it', async () => {
    const { conversationId, code } = await closedConversation({ returnCode: true });
    expect(code).toBeTruthy();
    const asCounsellor = await api(env.url, counsellor, 'POST', '/api/privacy/erase', { returnCode: code });
    expect(asCounsellor.status).toBe(403);
    const res = await api(env.url, supervisor, 'POST', '/api/privacy/erase', { returnCode: code });
    expect(res.status).toBe(200);
    expect(res.body.erased).toMatchObject({ conversations: 1, caseRecords: 1 });
    expect(res.body.erased.messages).toBeGreaterThanOrEqual(2);
    expect(await env.app.conversations.history(conversationId, 0)).toEqual([]);
    const c = await env.app.conversations.get(conversationId);
    expect(c.visitorId).toBeNull();
    expect(c.state).toBe('closed'); // the anonymous row stays for statistics
    const lookup = await api(env.url, counsellor, 'POST', '/api/cases/by-return-code', { code });
    expect(lookup.status).toBe(404);
    const again = await api(env.url, supervisor, 'POST', '/api/privacy/erase', { returnCode: code });
    expect(again.status).toBe(404);
    const audit = await api(env.url, supervisor, 'GET', '/api/audit?action=privacy.erase');
    expect(audit.status).toBe(200);
    expect(audit.body.events.length).toBe(1);
    expect(JSON.stringify(audit.body.events)).not.toContain('photos');
  });
});

describe('retention purge', () => {
  it('blanks transcripts and case texts past their period, keeps statistics, and is idempotent', async () => {
    const { conversationId, caseId } = await closedConversation();
    await env.app.settings.set('retention', { transcriptDays: 1, caseRecordDays: 2, hotlineReportDays: 365, auditDays: 730 });
    // Nothing is due yet.
    expect(await env.app.retention.purge()).toMatchObject({ transcripts: 0, caseRecords: 0 });
    const later = new Date(Date.now() + 3 * 86_400_000);
    const first = await env.app.retention.purge(later);
    expect(first.transcripts).toBeGreaterThanOrEqual(1);
    expect(first.caseRecords).toBeGreaterThanOrEqual(1);
    const history = await env.app.conversations.history(conversationId, 0);
    expect(history.length).toBeGreaterThan(0); // the sequence stays for counts
    expect(history.every((m) => m.body === '')).toBe(true);
    const conv = await env.app.conversations.get(conversationId);
    expect(conv).toMatchObject({ state: 'closed', language: 'en', visitorId: null });
    const rec = await env.app.cases.forConversation(conversationId);
    expect(rec).toMatchObject({ id: caseId, summary: '', categories: ['sextortion'] });
    // Running again changes nothing (BullMQ may deliver the job twice; instances may overlap).
    expect(await env.app.retention.purge(later)).toEqual({ transcripts: 0, offlineMessages: 0, caseRecords: 0, hotlineReports: 0, auditEvents: 0 });
  });

  it('is scheduled as a repeatable BullMQ job', async () => {
    const r = new Redis(TEST_REDIS_URL);
    try {
      const keys = await r.keys(`${env.redisPrefix}:bull:timers:*`);
      expect(keys.some((k) => /repeat/.test(k))).toBe(true);
    } finally {
      r.disconnect();
    }
  });
});

describe('audit log', () => {
  it('records reads of case records and lets supervisors and admins search it by filters', async () => {
    const { conversationId, caseId } = await closedConversation();
    expect((await api(env.url, counsellor, 'GET', `/api/conversations/${conversationId}/case`)).status).toBe(200);
    const found = await api(env.url, supervisor, 'GET', `/api/audit?targetType=case&targetId=${caseId}&action=case.read&from=${encodeURIComponent(new Date(Date.now() - 60_000).toISOString())}`);
    expect(found.status).toBe(200);
    expect(found.body.events).toHaveLength(1);
    expect(found.body.events[0]).toMatchObject({ actorId: counsellor.profile.id, action: 'case.read', targetId: caseId });
    expect((await api(env.url, counsellor, 'GET', '/api/audit')).status).toBe(403);
    expect((await api(env.url, supervisor, 'GET', '/api/audit?limit=0')).status).toBe(400);
  });
});
