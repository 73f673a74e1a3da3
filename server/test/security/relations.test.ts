// Relation checks with real objects: a counsellor acts only on conversations, cases, offers and claims
// that are hers, and a visitor only on her own conversation. Counsellor B holds a live conversation
// (with a note, a referral and an open offer of a second one) and a claimed left message; counsellor
// A, a colleague in good standing, tries every route and event on B's objects and must be refused with
// `forbidden` (a `not_found` or a validation error would prove nothing: the object exists and the
// payload is valid), while B, and a supervisor where the policy says so, pass the same calls. The role
// matrix (permissions.test.ts) covers who passes the role gate at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Offer } from '@helpline/shared';
import { agentClient, api, call, connected, createStaff, login, next, randomUUID, startTestEnv, widgetClient, type AgentClient, type LoggedIn, type TestEnv, type WidgetClient } from '../helpers.js';

let env: TestEnv;
let a: LoggedIn;
let b: LoggedIn;
let sup: LoggedIn;
let sockA: AgentClient;
let sockB: AgentClient;
let sockSup: AgentClient;
let child1: WidgetClient;
let child2: WidgetClient;
let child3: WidgetClient;
/** B's active conversation (child1's), and the conversation of child2 offered to B but not accepted. */
let conv: string;
let offered: Offer;
let offeredToDecline: Offer;
let child2Conv: string;
let referralInstitution: string;
let messageId: string;
/** A case record B logged by hand, with a follow-up day. */
let caseId: string;

const CASE = { contactType: 'child', categories: ['cyberbullying'], summary: 'A summary' };

beforeAll(async () => {
  env = await startTestEnv({ OFFER_TIMEOUT_MS: '600000' });
  const [sa, sb, ss] = [await createStaff(env.app, 'counsellor'), await createStaff(env.app, 'counsellor', { capacity: 3 }), await createStaff(env.app, 'supervisor')];
  [a, b, sup] = [await login(env.url, sa.email, sa.password), await login(env.url, sb.email, sb.password), await login(env.url, ss.email, ss.password)];
  [sockA, sockB, sockSup] = [agentClient(env.url, a), agentClient(env.url, b), agentClient(env.url, sup)];
  await Promise.all([connected(sockA), connected(sockB), connected(sockSup)]);
  for (const s of [sockA, sockB, sockSup]) expect((await call(s, 'agent:hello')).ok).toBe(true);

  // Only B is available: child1's conversation is offered to B, who accepts.
  expect((await call(sockB, 'agent:status', { status: 'available' })).ok).toBe(true);
  child1 = widgetClient(env.url);
  await connected(child1);
  const firstOffer = next<Offer>(sockB, 'offer:new');
  const s1 = await call(child1, 'conversation:start', { language: 'en' });
  if (!s1.ok) throw new Error(JSON.stringify(s1.error));
  const o1 = await firstOffer;
  expect((await call(sockB, 'offer:accept', { offerId: o1.offerId })).ok).toBe(true);
  conv = o1.conversation.id;
  // child2's and child3's conversations are offered to B and left open.
  child2 = widgetClient(env.url);
  await connected(child2);
  const secondOffer = next<Offer>(sockB, 'offer:new');
  const s2 = await call(child2, 'conversation:start', { language: 'en' });
  if (!s2.ok) throw new Error(JSON.stringify(s2.error));
  child2Conv = s2.data.conversation.id;
  offered = await secondOffer;
  child3 = widgetClient(env.url);
  await connected(child3);
  const thirdOffer = next<Offer>(sockB, 'offer:new');
  expect((await call(child3, 'conversation:start', { language: 'en' })).ok).toBe(true);
  offeredToDecline = await thirdOffer;

  expect((await call(sockB, 'note:add', { conversationId: conv, body: 'B\'s note' })).ok).toBe(true);
  const inst = await api(env.url, b, 'GET', '/api/institutions');
  referralInstitution = (inst.body.institutions as { id: string; kind: string }[]).find((i) => i.kind !== 'police')!.id;
  expect((await api(env.url, b, 'POST', '/api/referrals', { institutionId: referralInstitution, conversationId: conv, note: 'to the school' })).status).toBe(200);

  // A left message, claimed by B.
  const left = await fetch(`${env.url}/api/widget/offline-messages`, { method: 'POST', headers: { 'content-type': 'application/json', origin: env.url }, body: JSON.stringify({ body: 'nobody was there', language: 'en' }) });
  expect(left.status).toBe(201);
  const list = await api(env.url, b, 'GET', '/api/offline-messages?languages=all');
  messageId = list.body.messages[0].id;
  expect((await api(env.url, b, 'POST', `/api/offline-messages/${messageId}/claim`, {})).status).toBe(200);

  const logged = await api(env.url, b, 'POST', '/api/contacts', { ...CASE, channel: 'phone' });
  expect(logged.status).toBe(201);
  caseId = logged.body.id;
  expect((await api(env.url, b, 'PUT', `/api/cases/${caseId}`, { record: CASE, followUpOn: '2026-01-05' })).status).toBe(200);
}, 60_000);

afterAll(async () => {
  for (const s of [sockA, sockB, sockSup, child1, child2, child3]) s?.disconnect();
  await env?.close();
});

type Outcome = { ok: true } | { ok: false; code: string };
const httpOutcome = (r: { status: number; body: any }): Outcome => (r.status < 300 ? { ok: true } : { ok: false, code: r.body?.error?.code ?? String(r.status) });
const ackOutcome = (r: { ok: boolean; error?: { code: string } }): Outcome => (r.ok ? { ok: true } : { ok: false, code: r.error!.code });

/** Each call on B's objects, as a given person. None of them changes anything when refused. */
const probes: Record<string, (who: 'A' | 'B' | 'S') => Promise<Outcome>> = {
  'GET /api/conversations/:id/notes': (w) => http(w, 'GET', `/api/conversations/${conv}/notes`),
  'POST /api/conversations/:id/notes': (w) => http(w, 'POST', `/api/conversations/${conv}/notes`, { body: 'a note' }),
  'GET /api/conversations/:id/referrals': (w) => http(w, 'GET', `/api/conversations/${conv}/referrals`),
  'POST /api/referrals (conversation)': (w) => http(w, 'POST', '/api/referrals', { institutionId: referralInstitution, conversationId: conv }),
  'POST /api/conversations/:id/return-code': (w) => http(w, 'POST', `/api/conversations/${conv}/return-code`),
  'POST /api/conversations/:id/hotline-report': (w) => http(w, 'POST', `/api/conversations/${conv}/hotline-report`, { urls: ['http://example.org/x'] }),
  'POST /api/offline-messages/:id/answer': async (w) => {
    // B probes it after her own release (below): she takes the message again first.
    if (w === 'B') await http(w, 'POST', `/api/offline-messages/${messageId}/claim`, {});
    return http(w, 'POST', `/api/offline-messages/${messageId}/answer`, { answer: 'We are here for you.' });
  },
  'POST /api/offline-messages/:id/release': (w) => http(w, 'POST', `/api/offline-messages/${messageId}/release`, {}),
  'conversation:history': (w) => sock(w, 'conversation:history', { conversationId: conv, afterSeq: 0 }),
  'message:send': (w) => sock(w, 'message:send', { conversationId: conv, clientMsgId: randomUUID(), body: 'hello' }),
  'message:read': (w) => sock(w, 'message:read', { conversationId: conv, seq: 1 }),
  typing: (w) => sock(w, 'typing', { conversationId: conv, typing: true }),
  'conversation:help': (w) => sock(w, 'conversation:help', { conversationId: conv }),
  'conversation:priority': (w) => sock(w, 'conversation:priority', { conversationId: conv, priority: 'high' }),
  'note:add': (w) => sock(w, 'note:add', { conversationId: conv, body: 'a note' }),
  'offer:accept': (w) => sock(w, 'offer:accept', { offerId: offered.offerId }),
  'offer:decline': (w) => sock(w, 'offer:decline', { offerId: offeredToDecline.offerId }),
  // On child2's conversation: B accepts it (offer:accept) before she hands it back to the queue.
  'conversation:transfer': (w) => sock(w, 'conversation:transfer', { conversationId: child2Conv, to: { type: 'queue' }, note: 'over to the queue' }),
  'conversation:end': (w) => sock(w, 'conversation:end', { conversationId: conv }),
  'POST /api/conversations/:id/close': (w) => http(w, 'POST', `/api/conversations/${conv}/close`, CASE),
  'GET /api/cases/:id': (w) => http(w, 'GET', `/api/cases/${caseId}`),
  'PUT /api/cases/:id': (w) => http(w, 'PUT', `/api/cases/${caseId}`, { record: { ...CASE, summary: 'Completed later' }, followUpOn: '2026-01-05' }),
  'POST /api/cases/:id/follow-up/done': (w) => http(w, 'POST', `/api/cases/${caseId}/follow-up/done`, {}),
};
/** Calls whose success changes B's objects: probed as B after everything else, in this order. */
const CHANGING = ['offer:decline', 'offer:accept', 'POST /api/offline-messages/:id/release', 'POST /api/offline-messages/:id/answer', 'conversation:transfer', 'conversation:end', 'POST /api/conversations/:id/close', 'PUT /api/cases/:id', 'POST /api/cases/:id/follow-up/done'];
/** Where the supervisor may act on B's objects too (she supervises: notes, referrals, priority, transfers), or not (offers, claims, the chat itself stay the counsellor's). */
const SUPERVISOR_MAY = new Set(['GET /api/conversations/:id/notes', 'POST /api/conversations/:id/notes', 'GET /api/conversations/:id/referrals', 'POST /api/referrals (conversation)', 'POST /api/conversations/:id/return-code', 'POST /api/conversations/:id/hotline-report', 'conversation:priority', 'note:add', 'conversation:transfer', 'POST /api/offline-messages/:id/release', 'GET /api/cases/:id', 'PUT /api/cases/:id', 'POST /api/cases/:id/follow-up/done']);
/** The refusal each denial must be: `forbidden`, except losing a claim to someone else (`conflict`). */
const DENIAL: Record<string, string> = { 'POST /api/offline-messages/:id/answer': 'conflict' };

const who = { A: () => a, B: () => b, S: () => sup };
const sockOf = { A: () => sockA, B: () => sockB, S: () => sockSup };
async function http(w: 'A' | 'B' | 'S', method: string, path: string, body?: unknown): Promise<Outcome> {
  return httpOutcome(await api(env.url, who[w](), method, path, body ?? (method === 'GET' ? undefined : {})));
}
async function sock(w: 'A' | 'B' | 'S', event: string, payload: unknown): Promise<Outcome> {
  return ackOutcome(await call(sockOf[w](), event, payload));
}

describe('relation checks on real objects', () => {
  it('a colleague is refused on every route and event that touches another counsellor\'s conversation, offer or claim', async () => {
    const wrong: string[] = [];
    for (const [name, probe] of Object.entries(probes)) {
      const r = await probe('A');
      const expected = DENIAL[name] ?? 'forbidden';
      if (r.ok || r.code !== expected) wrong.push(`${name} as A: ${JSON.stringify(r)} (expected ${expected})`);
    }
    expect(wrong).toEqual([]);
  });

  it('a supervisor passes where she may and is refused on the counsellor\'s own offers and claims', async () => {
    const wrong: string[] = [];
    for (const [name, probe] of Object.entries(probes)) {
      // A change she may make would spoil B's own pass below; releasing a claim is tested in offline-inbox.test.ts.
      if (CHANGING.includes(name) && SUPERVISOR_MAY.has(name)) continue;
      if (CHANGING.includes(name)) {
        const r = await probe('S');
        const expected = DENIAL[name] ?? 'forbidden';
        if (r.ok || r.code !== expected) wrong.push(`${name} as supervisor: ${JSON.stringify(r)} (expected ${expected})`);
        continue;
      }
      const r = await probe('S');
      const passed = r.ok || !['forbidden', 'unauthorized', 'not_found', 'conflict'].includes(r.code);
      if (passed !== SUPERVISOR_MAY.has(name)) wrong.push(`${name} as supervisor: ${JSON.stringify(r)} (expected ${SUPERVISOR_MAY.has(name) ? 'allowed' : 'denied'})`);
    }
    expect(wrong).toEqual([]);
  });

  it('the counsellor herself passes every one of the same calls', async () => {
    const wrong: string[] = [];
    const order = [...Object.keys(probes).filter((n) => !CHANGING.includes(n)), ...CHANGING];
    for (const name of order) {
      const r = await probes[name]!('B');
      if (!r.ok) wrong.push(`${name} as B: ${JSON.stringify(r)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('a visitor acts only on her own conversation, and session:exit ends only hers', async () => {
    // child2 on child1's conversation (which has ended by now: B closed it; the check comes first).
    const wrong: string[] = [];
    const cases: [string, unknown][] = [
      ['message:send', { conversationId: conv, clientMsgId: randomUUID(), body: 'not mine' }],
      ['message:read', { conversationId: conv, seq: 1 }],
      ['typing', { conversationId: conv, typing: true }],
      ['conversation:end', { conversationId: conv }],
    ];
    for (const [event, payload] of cases) {
      const r = ackOutcome(await call(child2, event, payload));
      if (r.ok || r.code !== 'forbidden') wrong.push(`${event} by another visitor: ${JSON.stringify(r)}`);
    }
    expect(wrong).toEqual([]);
    // Her own conversation is hers.
    expect((await call(child2, 'message:send', { conversationId: child2Conv, clientMsgId: randomUUID(), body: 'mine' })).ok).toBe(true);
    // Quick exit ends child2's session only: her socket is anonymous again, child1's session goes on.
    expect((await call(child2, 'session:exit', {})).ok).toBe(true);
    const resumed = await call(child2, 'conversation:resume', { afterSeq: 0 });
    expect(resumed.ok ? 'ok' : resumed.error.code).toBe('unauthorized');
    expect((await call(child2, 'message:send', { conversationId: child2Conv, clientMsgId: randomUUID(), body: 'after the exit' })).ok).toBe(false);
    const mine = await call(child1, 'conversation:resume', { afterSeq: 0 });
    expect(mine.ok && mine.data.conversation?.id).toBe(conv);
  });
});
