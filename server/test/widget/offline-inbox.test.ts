// The staff inbox of left messages: one person claims a message while answering (compare-and-set in
// Postgres, so a race has one winner), only the claimer answers, a claim lapses or is released, the
// child's first pick-up is visible to staff, reads are audited, counts reach the consoles and the
// board, and retention blanks the words but keeps the states.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { OfflineMessageChanged } from '@helpline/shared';
import { offlineMessages } from '../../src/widget/tables.js';
import { agentClient, api, call, connected, createStaff, login, next, startTestEnv, type LoggedIn, type TestEnv } from '../helpers.js';

async function leave(env: TestEnv, body: string, language?: string) {
  const res = await fetch(`${env.url}/api/widget/offline-messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: env.url },
    body: JSON.stringify({ body, ...(language ? { language } : {}) }),
  });
  const created = (await res.json()) as { reference: string; pickupCode: string };
  const [row] = await env.app.db.select({ id: offlineMessages.id }).from(offlineMessages).where(eq(offlineMessages.reference, created.reference));
  return { ...created, id: row!.id };
}

async function pickUp(env: TestEnv, reference: string, pickupCode: string) {
  const res = await fetch(`${env.url}/api/widget/offline-messages/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: env.url },
    body: JSON.stringify({ reference, pickupCode }),
  });
  return (await res.json()) as { status: string; answer?: string };
}

async function staffLogin(env: TestEnv, role: 'counsellor' | 'supervisor' | 'analyst' | 'admin', opts: { languages?: string[] } = {}): Promise<LoggedIn> {
  const s = await createStaff(env.app, role, opts);
  return login(env.url, s.email, s.password);
}

const post = (env: TestEnv, who: LoggedIn, path: string, body?: unknown) => api(env.url, who, 'POST', path, body ?? {});

describe('claims and answers', () => {
  let env: TestEnv;
  let ana: LoggedIn;
  let boris: LoggedIn;
  let sup: LoggedIn;
  beforeAll(async () => {
    env = await startTestEnv();
    [ana, boris, sup] = await Promise.all([staffLogin(env, 'counsellor'), staffLogin(env, 'counsellor'), staffLogin(env, 'supervisor')]);
  });
  afterAll(async () => {
    await env?.close();
  });

  it('two counsellors claiming at once: exactly one wins, the other is told kindly', async () => {
    const m = await leave(env, 'race me', 'en');
    const others = await Promise.all([1, 2, 3].map(() => staffLogin(env, 'counsellor')));
    const all = [ana, boris, ...others];
    const results = await Promise.all(all.map((who) => post(env, who, `/api/offline-messages/${m.id}/claim`)));
    const won = results.filter((r) => r.status === 200);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 409 && r.body.error.code === 'conflict')).toHaveLength(all.length - 1);
    const winner = all[results.indexOf(won[0]!)]!;
    expect(won[0]!.body).toMatchObject({ state: 'claimed', claimedBy: winner.profile.id, claimedByName: winner.profile.name });
    // The winner claiming again renews the claim.
    expect((await post(env, winner, `/api/offline-messages/${m.id}/claim`)).status).toBe(200);
  });

  it('only the claimer answers; an answered message cannot be answered or claimed again', async () => {
    const m = await leave(env, 'who answers me?', 'en');
    expect((await post(env, ana, `/api/offline-messages/${m.id}/answer`, { answer: 'not claimed yet' })).body.error.code).toBe('invalid_state');
    await post(env, ana, `/api/offline-messages/${m.id}/claim`);
    const stolen = await post(env, boris, `/api/offline-messages/${m.id}/answer`, { answer: 'me instead' });
    expect(stolen).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    // A supervisor is not the claimer either.
    expect((await post(env, sup, `/api/offline-messages/${m.id}/answer`, { answer: 'me' })).body.error.code).toBe('conflict');
    const done = await post(env, ana, `/api/offline-messages/${m.id}/answer`, { answer: 'Ana answers.' });
    expect(done.body).toMatchObject({ state: 'answered', answer: 'Ana answers.', answeredBy: ana.profile.id, answeredByName: ana.profile.name });
    expect((await post(env, ana, `/api/offline-messages/${m.id}/answer`, { answer: 'twice' })).body.error.code).toBe('invalid_state');
    expect((await post(env, boris, `/api/offline-messages/${m.id}/claim`)).body.error.code).toBe('invalid_state');
    const [row] = await env.app.db.select().from(offlineMessages).where(eq(offlineMessages.id, m.id));
    expect(row).toMatchObject({ status: 'answered', answer: 'Ana answers.' });
  });

  it('a claim is released by its holder or a supervisor, never by another counsellor', async () => {
    const m = await leave(env, 'let go', 'en');
    await post(env, ana, `/api/offline-messages/${m.id}/claim`);
    expect((await post(env, boris, `/api/offline-messages/${m.id}/release`)).status).toBe(403);
    expect((await post(env, sup, `/api/offline-messages/${m.id}/release`)).body.state).toBe('new');
    expect((await post(env, boris, `/api/offline-messages/${m.id}/claim`)).body.claimedBy).toBe(boris.profile.id);
    // Ana's old claim is gone: she may not answer now.
    expect((await post(env, ana, `/api/offline-messages/${m.id}/answer`, { answer: 'late' })).body.error.code).toBe('conflict');
    expect((await post(env, boris, `/api/offline-messages/${m.id}/release`)).body.state).toBe('new');
    expect((await post(env, boris, `/api/offline-messages/${m.id}/release`)).body.error.code).toBe('invalid_state');
    const audit = await env.app.audit.search({ targetType: 'offline_message', targetId: m.id, action: 'offline_message.released' });
    expect(audit.map((a) => a.actorId).sort()).toEqual([sup.profile.id, boris.profile.id].sort());
  });

  it('the child’s first pick-up marks it picked up, once; staff see it', async () => {
    const m = await leave(env, 'did you answer?', 'en');
    const agent = agentClient(env.url, boris);
    await connected(agent);
    try {
      await post(env, ana, `/api/offline-messages/${m.id}/claim`);
      await post(env, ana, `/api/offline-messages/${m.id}/answer`, { answer: 'Yes, here.' });
      const picked = next<OfflineMessageChanged>(agent, 'offline:changed', (e) => e.id === m.id && e.change === 'picked_up');
      expect(await pickUp(env, m.reference, m.pickupCode)).toMatchObject({ status: 'answered', answer: 'Yes, here.' });
      await picked;
      const [first] = await env.app.db.select().from(offlineMessages).where(eq(offlineMessages.id, m.id));
      expect(first!.status).toBe('picked_up');
      expect(first!.pickedUpAt).toBeInstanceOf(Date);
      // Reading it again still shows the answer and keeps the first pick-up time.
      expect(await pickUp(env, m.reference, m.pickupCode)).toMatchObject({ status: 'answered', answer: 'Yes, here.' });
      const [second] = await env.app.db.select().from(offlineMessages).where(eq(offlineMessages.id, m.id));
      expect(second!.pickedUpAt!.getTime()).toBe(first!.pickedUpAt!.getTime());
      expect(await env.app.audit.search({ targetId: m.id, action: 'offline_message.picked_up' })).toHaveLength(1);
      const list = await api(env.url, ana, 'GET', '/api/offline-messages?state=picked_up');
      expect(list.body.messages.find((x: { id: string }) => x.id === m.id)).toMatchObject({ state: 'picked_up', pickedUpAt: first!.pickedUpAt!.toISOString() });
    } finally {
      agent.disconnect();
    }
  });

  it('opening a message is audited (who, which); listing and counting are not', async () => {
    const m = await leave(env, 'private words', 'en');
    const reads = () => env.app.audit.search({ targetId: m.id, action: 'offline_message.read' });
    const list = await api(env.url, ana, 'GET', '/api/offline-messages');
    expect(JSON.stringify(list.body)).not.toContain('private words');
    await api(env.url, ana, 'GET', '/api/offline-messages/counts');
    expect(await reads()).toHaveLength(0);
    const opened = await api(env.url, ana, 'GET', `/api/offline-messages/${m.id}`);
    expect(opened.body.body).toBe('private words');
    const audit = await reads();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorType: 'staff', actorId: ana.profile.id, targetType: 'offline_message', targetId: m.id });
    await api(env.url, boris, 'GET', `/api/offline-messages/${m.id}`);
    expect((await reads()).map((a) => a.actorId)).toEqual([boris.profile.id, ana.profile.id]);
  });

  it('lists oldest first in the counsellor’s languages by default, every language on request', async () => {
    const bgOnly = await staffLogin(env, 'counsellor', { languages: ['bg'] });
    const first = await leave(env, 'first', 'bg');
    const english = await leave(env, 'english', 'en');
    const none = await leave(env, 'no language');
    const mine = (await api(env.url, bgOnly, 'GET', '/api/offline-messages?state=new')).body.messages.map((x: { id: string }) => x.id);
    expect(mine).toContain(first.id);
    expect(mine).toContain(none.id);
    expect(mine).not.toContain(english.id);
    expect(mine.indexOf(first.id)).toBeLessThan(mine.indexOf(none.id));
    const all = (await api(env.url, bgOnly, 'GET', '/api/offline-messages?state=new&languages=all')).body.messages.map((x: { id: string }) => x.id);
    expect(all).toEqual(expect.arrayContaining([first.id, english.id, none.id]));
    expect(all.indexOf(first.id)).toBeLessThan(all.indexOf(english.id));
  });

  it('tells counsellors and supervisors of each change with the counts, and the board shows the wait', async () => {
    const analyst = await staffLogin(env, 'analyst');
    const admin = await staffLogin(env, 'admin');
    const sockets = [ana, sup, analyst, admin].map((who) => agentClient(env.url, who));
    await Promise.all(sockets.map(connected));
    try {
      const [anaSock, supSock, analystSock, adminSock] = sockets;
      const room = env.app.realtime.agent.adapter.rooms.get('offline-inbox') ?? new Set();
      expect(room.has(anaSock!.id!) && room.has(supSock!.id!)).toBe(true);
      expect(room.has(analystSock!.id!) || room.has(adminSock!.id!)).toBe(false);

      const before = (await api(env.url, ana, 'GET', '/api/offline-messages/counts')).body;
      const created = next<OfflineMessageChanged>(anaSock!, 'offline:changed', (e) => e.change === 'created');
      const m = await leave(env, 'tell them', 'sr-Latn');
      const e = await created;
      expect(e).toMatchObject({ id: m.id, language: 'sr-Latn' });
      expect(JSON.stringify(e)).not.toContain('tell them');
      expect(e.counts.waiting).toBe(before.waiting + 1);
      expect(e.counts.waitingByLanguage['sr-Latn']).toBe((before.waitingByLanguage['sr-Latn'] ?? 0) + 1);
      expect(typeof e.counts.oldestWaitingAt).toBe('string');

      const board = await call(supSock!, 'board:snapshot', {});
      expect(board.ok && board.data.offlineMessages.waiting).toBe(e.counts.waiting);
      expect(board.ok && board.data.offlineMessages.oldestWaitSeconds).toBeGreaterThanOrEqual(0);

      const claimed = next<OfflineMessageChanged>(supSock!, 'offline:changed', (x) => x.id === m.id && x.change === 'claimed');
      await post(env, ana, `/api/offline-messages/${m.id}/claim`);
      const c = await claimed;
      expect(c.counts.waiting).toBe(e.counts.waiting - 1);
      expect(c.counts.claimed).toBe(e.counts.claimed + 1);
      const board2 = await call(supSock!, 'board:snapshot', {});
      expect(board2.ok && board2.data.offlineMessages).toMatchObject({ waiting: c.counts.waiting, claimed: c.counts.claimed });
    } finally {
      for (const s of sockets) s.disconnect();
    }
  });

  it('retention blanks the words and the answer past the transcript period and keeps the states', async () => {
    const m = await leave(env, 'forget me later', 'en');
    await post(env, ana, `/api/offline-messages/${m.id}/claim`);
    await post(env, ana, `/api/offline-messages/${m.id}/answer`, { answer: 'an answer' });
    await pickUp(env, m.reference, m.pickupCode);
    const waiting = await leave(env, 'never answered', 'en');
    await env.app.settings.set('retention', { transcriptDays: 1, caseRecordDays: 2, hotlineReportDays: 365, auditDays: 730 });
    const purged = await env.app.retention.purge(new Date(Date.now() + 3 * 86_400_000));
    expect(purged.offlineMessages).toBeGreaterThanOrEqual(2);
    const rows = await env.app.db.select().from(offlineMessages);
    expect(rows.every((r) => r.body === '' && r.answer === null)).toBe(true);
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(m.id)).toMatchObject({ status: 'picked_up', language: 'en', answeredBy: ana.profile.id });
    expect(byId.get(m.id)!.pickedUpAt).toBeInstanceOf(Date);
    expect(byId.get(waiting.id)!.status).toBe('new');
    // A blanked answer is no longer handed out.
    expect(await pickUp(env, m.reference, m.pickupCode)).toEqual({ status: 'new' });
  });

  it('is for counsellors and supervisors only', async () => {
    const m = await leave(env, 'not for admins', 'en');
    for (const role of ['analyst', 'admin'] as const) {
      const who = await staffLogin(env, role);
      expect((await api(env.url, who, 'GET', `/api/offline-messages/${m.id}`)).status).toBe(403);
      expect((await post(env, who, `/api/offline-messages/${m.id}/claim`)).status).toBe(403);
    }
    expect(await env.app.audit.search({ targetId: m.id, action: 'offline_message.read' })).toHaveLength(0);
  });
});

describe('claim expiry', () => {
  let env: TestEnv;
  beforeAll(async () => {
    env = await startTestEnv({ OFFLINE_CLAIM_MS: '1500' });
  });
  afterAll(async () => {
    await env?.close();
  });

  it('a lapsed claim frees the message for anyone, and the consoles are told when it lapses', async () => {
    const [ana, boris] = await Promise.all([staffLogin(env, 'counsellor'), staffLogin(env, 'counsellor')]);
    const agent = agentClient(env.url, boris);
    await connected(agent);
    try {
      const m = await leave(env, 'slow answer', 'en');
      const claim = await post(env, ana, `/api/offline-messages/${m.id}/claim`);
      expect(Date.parse(claim.body.claimExpiresAt) - Date.parse(claim.body.claimedAt)).toBe(1500);
      const lapsed = next<OfflineMessageChanged>(agent, 'offline:changed', (e) => e.id === m.id && e.change === 'claim_expired', 8000);
      expect((await post(env, boris, `/api/offline-messages/${m.id}/claim`)).body.error.code).toBe('conflict');
      const e = await lapsed;
      expect(e.counts.claimed).toBe(0);
      expect(e.counts.waiting).toBe(1);
      const listed = (await api(env.url, boris, 'GET', '/api/offline-messages?state=new')).body.messages;
      expect(listed.find((x: { id: string }) => x.id === m.id)).toMatchObject({ state: 'new', claimedBy: ana.profile.id });
      expect((await post(env, boris, `/api/offline-messages/${m.id}/claim`)).body.claimedBy).toBe(boris.profile.id);
      expect((await post(env, ana, `/api/offline-messages/${m.id}/answer`, { answer: 'too late' })).body.error.code).toBe('conflict');
      expect((await post(env, boris, `/api/offline-messages/${m.id}/answer`, { answer: 'Boris answers' })).body.state).toBe('answered');
    } finally {
      agent.disconnect();
    }
  });

  it('the holder of a lapsed claim may still answer while nobody else took it', async () => {
    const ana = await staffLogin(env, 'counsellor');
    const agent = agentClient(env.url, ana);
    await connected(agent);
    try {
      const m = await leave(env, 'take your time', 'en');
      const lapsed = next<OfflineMessageChanged>(agent, 'offline:changed', (e) => e.id === m.id && e.change === 'claim_expired', 8000);
      await post(env, ana, `/api/offline-messages/${m.id}/claim`);
      await lapsed;
      expect((await post(env, ana, `/api/offline-messages/${m.id}/answer`, { answer: 'Written slowly' })).body).toMatchObject({ state: 'answered', answer: 'Written slowly' });
    } finally {
      agent.disconnect();
    }
  });
});
