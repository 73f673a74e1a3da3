// The permission matrix: every HTTP route and every socket event against every role, in one table.
// Routes are enumerated from the running app (printRoutes) and events from the listeners a connected
// server-side socket has, so a route or event that is not in the table fails this test: add it to
// HTTP_POLICY / SOCKET_POLICY with who may use it. "Allowed" means the role gate let the request
// through (any answer but 401/403: 400 on the dummy body, 404 on the random id are fine); "denied"
// means 401 or 403. This is the role gate only: relation checks (a counsellor acts only on what is
// hers) are exercised with real objects of another counsellor and another visitor in relations.test.ts,
// where a not_found proves nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StaffRole } from '@helpline/shared';
import { enumerateRoutes } from './routes.js';
import { agentClient, call, connected, createStaff, login, startTestEnv, widgetClient, type LoggedIn, type TestEnv } from '../helpers.js';

type Who = 'anonymous' | 'visitor' | StaffRole;
const STAFF: StaffRole[] = ['counsellor', 'supervisor', 'analyst', 'admin'];
const EVERYONE: Who[] = ['anonymous', 'visitor', ...STAFF];
const PUBLIC = EVERYONE;
const NOBODY: Who[] = [];
const U = '00000000-0000-4000-8000-000000000000';

/** 'METHOD /path' → who passes the role gate. Keep sorted by feature; add new routes here. */
const HTTP_POLICY: Record<string, Who[]> = {
  // public pages and health
  'GET /': PUBLIC, 'GET /health': PUBLIC, 'GET /ready': PUBLIC, 'GET /demo': PUBLIC,
  'GET /widget': PUBLIC, 'GET /widget.js': PUBLIC, 'GET /widget*': PUBLIC, 'GET /console': PUBLIC, 'GET /console*': PUBLIC,
  'GET /report': PUBLIC, 'GET /report/assets/report.js': PUBLIC, 'GET /report/assets/report.css': PUBLIC,
  // with METRICS_TOKEN set (as here), nobody without the bearer token
  'GET /metrics': NOBODY,
  // auth
  'POST /api/auth/login': PUBLIC, 'POST /api/auth/logout': STAFF, 'GET /api/auth/me': STAFF, 'PATCH /api/auth/me': STAFF,
  // admin
  'GET /api/admin/staff': ['admin'], 'POST /api/admin/staff': ['admin'], 'PATCH /api/admin/staff/:id': ['admin'],
  'GET /api/admin/settings': ['admin'], 'PUT /api/admin/settings/:key': ['admin'], 'GET /api/admin/audit': ['admin'],
  'GET /api/admin/profile': ['admin'], 'PUT /api/admin/profile': ['admin'], 'GET /api/hotline/routing': ['analyst', 'supervisor', 'admin'],
  // conversations, cases, notes, return codes
  'POST /api/conversations/:id/close': ['counsellor', 'supervisor'],
  'GET /api/conversations/:id/case': ['counsellor', 'supervisor'], 'GET /api/cases': ['counsellor', 'supervisor'],
  'POST /api/conversations/:id/hotline-report': ['counsellor', 'supervisor'],
  'POST /api/conversations/:id/return-code': ['counsellor', 'supervisor'],
  'GET /api/conversations/:id/referrals': ['counsellor', 'supervisor'],
  'GET /api/conversations/:id/notes': ['counsellor', 'supervisor'], 'POST /api/conversations/:id/notes': ['counsellor', 'supervisor'],
  'POST /api/contacts': ['counsellor', 'supervisor'], 'POST /api/cases/by-return-code': ['counsellor', 'supervisor'],
  'GET /api/cases/follow-ups': ['counsellor', 'supervisor'], 'GET /api/cases/:id': ['counsellor', 'supervisor'], 'PUT /api/cases/:id': ['counsellor', 'supervisor'],
  'POST /api/cases/:id/follow-up/done': ['counsellor', 'supervisor'],
  'GET /api/canned': ['counsellor', 'supervisor', 'admin'], 'POST /api/canned': ['admin'], 'PUT /api/canned/:id': ['admin'], 'DELETE /api/canned/:id': ['admin'],
  // hotline: public intake, analysts assess, supervisors/admins approve and read
  'GET /api/hotline/challenge': PUBLIC, 'POST /api/hotline/reports': PUBLIC, 'POST /api/hotline/status': PUBLIC,
  'GET /api/hotline/reports': ['analyst', 'supervisor', 'admin'], 'GET /api/hotline/reports/:id': ['analyst', 'supervisor', 'admin'],
  'POST /api/hotline/reports/:id/claim': ['analyst', 'supervisor', 'admin'], 'GET /api/hotline/analysts': ['analyst', 'supervisor', 'admin'], 'DELETE /api/hotline/reports/:id/claim': ['analyst', 'supervisor', 'admin'],
  'POST /api/hotline/reports/:id/status': ['analyst'], 'PUT /api/hotline/reports/:id/urls/:urlId/assessment': ['analyst'],
  'POST /api/hotline/reports/:id/urls/:urlId/resolve': ['analyst'], 'POST /api/hotline/reports/:id/urls/:urlId/apply-earlier': ['analyst'], 'POST /api/hotline/reports/:id/actions': ['analyst'],
  'POST /api/hotline/reports/:id/removal': ['analyst'], 'GET /api/hotline/reports/:id/export': ['analyst', 'supervisor', 'admin'],
  'PATCH /api/hotline/actions/:actionId': ['analyst'], 'POST /api/hotline/actions/:actionId/decision': ['supervisor', 'admin'],
  'GET /api/hotline/approvals': ['analyst', 'supervisor', 'admin'], 'GET /api/hotline/member-hotlines': ['analyst', 'supervisor', 'admin'],
  'GET /api/hotline/export': ['analyst', 'supervisor', 'admin'], 'GET /api/hotline/stats': ['analyst', 'supervisor', 'admin'],
  // referrals
  'GET /api/institutions': ['counsellor', 'supervisor', 'admin'], 'POST /api/institutions': ['admin'], 'PUT /api/institutions/:id': ['admin'],
  'POST /api/referrals': ['counsellor', 'supervisor'], 'GET /api/referrals': ['supervisor'],
  'POST /api/referrals/:id/approve': ['supervisor'], 'POST /api/referrals/:id/reject': ['supervisor'],
  // the phone line: the SIP proxy's calls want its token (nobody with a session passes); softphones
  'POST /api/voice/calls': NOBODY, 'POST /api/voice/calls/answered': NOBODY, 'POST /api/voice/calls/ended': NOBODY, 'POST /api/voice/calls/failed': NOBODY,
  'GET /api/voice/softphone': ['counsellor', 'supervisor'],
  'GET /api/conversations/:id/call': ['counsellor', 'supervisor'], 'POST /api/conversations/:id/call/hold': ['counsellor', 'supervisor'],
  // supervision and statistics
  'GET /api/staff/counsellors': ['counsellor', 'supervisor', 'admin'],
  'GET /api/stats': ['supervisor', 'admin'], 'GET /api/stats.csv': ['supervisor', 'admin'],
  'GET /api/supervision/board': ['supervisor', 'admin'], 'GET /api/supervision/surge': ['supervisor', 'admin'], 'PUT /api/supervision/surge': ['supervisor', 'admin'],
  // widget (public) and offline messages
  'GET /api/widget/config': PUBLIC, 'POST /api/widget/offline-messages': PUBLIC, 'POST /api/widget/offline-messages/status': PUBLIC,
  'GET /api/widget/allowed': PUBLIC,
  'GET /api/offline-messages': ['counsellor', 'supervisor'], 'GET /api/offline-messages/counts': ['counsellor', 'supervisor'],
  'GET /api/offline-messages/:id': ['counsellor', 'supervisor'], 'POST /api/offline-messages/:id/claim': ['counsellor', 'supervisor'],
  'POST /api/offline-messages/:id/release': ['counsellor', 'supervisor'], 'POST /api/offline-messages/:id/answer': ['counsellor', 'supervisor'],
  // channels: the API inbox (signed by the integrator, not a session) and the admin's inboxes
  'POST /api/channels/api/:inbox/messages': PUBLIC,
  'GET /api/admin/inboxes': ['admin'], 'POST /api/admin/inboxes': ['admin'], 'PATCH /api/admin/inboxes/:id': ['admin'],
  'GET /api/admin/inboxes/:id/failed-deliveries': ['admin'], 'POST /api/admin/deliveries/:id/replay': ['admin'],
  // messaging apps: webhooks signed by the app (not a session); connecting, checking, registering: admins
  'POST /api/channels/apps/:inbox/webhook': PUBLIC, 'GET /api/channels/apps/:inbox/webhook': PUBLIC,
  'POST /api/admin/app-inboxes': ['admin'], 'GET /api/admin/inboxes/:id/app': ['admin'],
  'POST /api/admin/inboxes/:id/app/check': ['admin'], 'POST /api/admin/inboxes/:id/app/register': ['admin'],
  // e-mail inboxes: admins test the connection; the e-mail panel and the audited reveal of the sender's
  // address: counsellors and supervisors (the relation, assigned or supervising, in the route)
  'POST /api/admin/inboxes/:id/test-connection': ['admin'],
  'GET /api/conversations/:id/email': ['counsellor', 'supervisor'], 'POST /api/conversations/:id/email/reveal': ['counsellor', 'supervisor'],
  // trend alerts: analysts and admins write and approve (four eyes in the service); the feeds are public
  'GET /api/alerts': ['analyst', 'admin'], 'GET /api/alerts/:id': ['analyst', 'admin'], 'POST /api/alerts': ['analyst', 'admin'], 'PUT /api/alerts/:id': ['analyst', 'admin'],
  'POST /api/alerts/:id/submit': ['analyst', 'admin'], 'POST /api/alerts/:id/approve': ['analyst', 'admin'],
  'POST /api/alerts/:id/send-back': ['analyst', 'admin'], 'POST /api/alerts/:id/withdraw': ['analyst', 'admin'],
  'GET /api/public/alerts': PUBLIC, 'GET /alerts.atom': PUBLIC,
  // Web Push of alerts: public (a browser's subscription, nothing personal), Origin-checked, rate-limited
  'GET /api/public/push/key': PUBLIC, 'POST /api/public/push/subscribe': PUBLIC, 'POST /api/public/push/unsubscribe': PUBLIC,
  // the OpenAPI document of the public and integration routes
  'GET /api/docs': PUBLIC, 'GET /api/docs/openapi.json': PUBLIC,
  // privacy
  'POST /api/privacy/erase': ['supervisor', 'admin'], 'POST /api/retention/purge': ['admin'], 'GET /api/audit': ['supervisor', 'admin'],
};

const CHAT: Who[] = ['counsellor', 'supervisor'];
/** Socket events: namespace, a payload of the right shape, who passes the role gate. */
const SOCKET_POLICY: Record<string, { nsp: 'widget' | 'agent'; payload: unknown; who: Who[] }> = {
  // /widget: anyone may start; the rest needs the visitor's token
  'widget conversation:start': { nsp: 'widget', payload: { language: 'en' }, who: ['anonymous', 'visitor'] },
  'widget conversation:resume': { nsp: 'widget', payload: { afterSeq: 0 }, who: ['visitor'] },
  'widget message:send': { nsp: 'widget', payload: { conversationId: U, clientMsgId: 'm1', body: 'hi' }, who: ['visitor'] },
  'widget typing': { nsp: 'widget', payload: { conversationId: U, typing: true }, who: ['visitor'] },
  'widget message:read': { nsp: 'widget', payload: { conversationId: U, seq: 0 }, who: ['visitor'] },
  'widget conversation:end': { nsp: 'widget', payload: { conversationId: U }, who: ['visitor'] },
  'widget service:status': { nsp: 'widget', payload: {}, who: ['anonymous', 'visitor'] },
  'widget session:exit': { nsp: 'widget', payload: {}, who: ['anonymous', 'visitor'] },
  // /agent: staff only (the handshake refuses the others)
  'agent agent:hello': { nsp: 'agent', payload: {}, who: STAFF },
  'agent agent:status': { nsp: 'agent', payload: { status: 'away' }, who: CHAT },
  'agent offer:accept': { nsp: 'agent', payload: { offerId: U }, who: CHAT },
  'agent offer:decline': { nsp: 'agent', payload: { offerId: U }, who: CHAT },
  'agent conversation:history': { nsp: 'agent', payload: { conversationId: U, afterSeq: 0 }, who: STAFF },
  'agent message:send': { nsp: 'agent', payload: { conversationId: U, clientMsgId: 'm1', body: 'hi' }, who: STAFF },
  'agent typing': { nsp: 'agent', payload: { conversationId: U, typing: true }, who: STAFF },
  'agent message:read': { nsp: 'agent', payload: { conversationId: U, seq: 0 }, who: STAFF },
  'agent conversation:end': { nsp: 'agent', payload: { conversationId: U }, who: STAFF },
  'agent conversation:transfer': { nsp: 'agent', payload: { conversationId: U, to: { type: 'queue' }, note: '' }, who: CHAT },
  'agent conversation:help': { nsp: 'agent', payload: { conversationId: U }, who: STAFF },
  'agent conversation:priority': { nsp: 'agent', payload: { conversationId: U, priority: 'high' }, who: STAFF },
  'agent conversation:assign': { nsp: 'agent', payload: { conversationId: U, staffId: U }, who: ['supervisor', 'admin'] },
  'agent note:add': { nsp: 'agent', payload: { conversationId: U, body: 'x' }, who: CHAT },
  'agent board:snapshot': { nsp: 'agent', payload: {}, who: ['supervisor', 'admin'] },
  'agent supervise:watch': { nsp: 'agent', payload: { conversationId: U }, who: ['supervisor'] },
  'agent supervise:unwatch': { nsp: 'agent', payload: { conversationId: U }, who: ['supervisor'] },
  'agent supervise:whisper': { nsp: 'agent', payload: { conversationId: U, body: 'x' }, who: ['supervisor'] },
  'agent supervise:join': { nsp: 'agent', payload: { conversationId: U }, who: ['supervisor'] },
  'agent supervise:send': { nsp: 'agent', payload: { conversationId: U, clientMsgId: 'm1', body: 'hi' }, who: ['supervisor'] },
  'agent supervise:takeover': { nsp: 'agent', payload: { conversationId: U }, who: ['supervisor'] },
  'agent supervise:reassign': { nsp: 'agent', payload: { conversationId: U, staffId: U }, who: ['supervisor'] },
  'agent supervise:agent': { nsp: 'agent', payload: { staffId: U, status: 'away' }, who: ['supervisor'] },
  'agent supervise:overflow': { nsp: 'agent', payload: {}, who: ['supervisor'] },
};

let env: TestEnv;
const sessions = new Map<StaffRole, LoggedIn>();
const accounts = new Map<StaffRole, { email: string; password: string }>();
async function loginAll(): Promise<void> {
  for (const [role, a] of accounts) sessions.set(role, await login(env.url, a.email, a.password));
}
let visitorToken = '';

beforeAll(async () => {
  env = await startTestEnv({ METRICS_TOKEN: 'metrics-secret-token-for-tests' });
  for (const role of STAFF) {
    accounts.set(role, await createStaff(env.app, role));
  }
  await loginAll();
  const child = widgetClient(env.url);
  await connected(child);
  const started = await call(child, 'conversation:start', { language: 'en' });
  if (!started.ok) throw new Error('could not start a visitor session');
  visitorToken = started.data.token;
  child.disconnect();
}, 60_000);
afterAll(async () => {
  await env?.close();
});

function fill(path: string): string {
  return path.replace(/:(\w+)/g, (_s, name: string) => (name === 'key' ? 'widget' : U)).replace(/\/?\*$/, '/index.html');
}

async function httpAs(who: Who, method: string, path: string): Promise<number> {
  const headers: Record<string, string> = { origin: env.url };
  const s = who !== 'anonymous' && who !== 'visitor' ? sessions.get(who) : undefined;
  if (s) {
    headers.cookie = s.cookie;
    headers['x-csrf-token'] = s.csrfToken;
  }
  const hasBody = method !== 'GET' && method !== 'DELETE';
  if (hasBody) headers['content-type'] = 'application/json';
  const res = await fetch(`${env.url}${fill(path)}`, { method, headers, ...(hasBody ? { body: '{}' } : {}), redirect: 'manual' });
  await res.arrayBuffer();
  return res.status;
}

describe('permission matrix', () => {
  it('every HTTP route answers each role as the table says', async () => {
    const routes = enumerateRoutes(env.app.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThan(20);
    const unknown = routes.map(([m, p]) => `${m} ${p}`).filter((k) => !(k in HTTP_POLICY));
    expect(unknown, 'routes missing from HTTP_POLICY: add them with who may use them').toEqual([]);
    const wrong: string[] = [];
    // Logout last: it ends the session the other requests use.
    const ordered = routes.sort(([, a], [, b]) => Number(a.endsWith('/logout')) - Number(b.endsWith('/logout')));
    for (const [method, path] of ordered) {
      const allowed = HTTP_POLICY[`${method} ${path}`]!;
      for (const who of EVERYONE) {
        const status = await httpAs(who, method, path);
        const passed = status !== 401 && status !== 403;
        if (passed !== allowed.includes(who)) wrong.push(`${method} ${path} as ${who}: ${status} (expected ${allowed.includes(who) ? 'allowed' : 'denied'})`);
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);

  it('every socket event answers each role as the table says', async () => {
    await loginAll(); // the HTTP matrix ended with logouts
    const wrong: string[] = [];
    const seen = new Set<string>();
    for (const who of EVERYONE) {
      const isStaff = who !== 'anonymous' && who !== 'visitor';
      // Staff are not on /widget; anonymous visitors and visitors cannot even open /agent.
      const widget = isStaff ? null : widgetClient(env.url, who === 'visitor' ? { token: visitorToken } : {});
      const agent = isStaff ? agentClient(env.url, sessions.get(who)!) : null;
      if (!isStaff) {
        const refused = agentClient(env.url, { cookie: 'hl_session=forged', csrfToken: '', profile: null as never });
        const err = await new Promise<Error>((resolve) => refused.once('connect_error', resolve));
        expect(err.message).toBe('unauthorized');
        refused.disconnect();
      }
      const s = (widget ?? agent)!;
      await connected(s);
      // The events this server listens to, read from the server side of this very connection.
      const nspName = widget ? 'widget' : 'agent';
      const serverSide = [...(nspName === 'widget' ? env.app.realtime.widget : env.app.realtime.agent).sockets.values()].find((x) => x.id === s.id)!;
      for (const ev of serverSide.eventNames().map(String).filter((e) => e !== 'disconnect' && e !== 'disconnecting' && e !== 'error')) seen.add(`${nspName} ${ev}`);
      // conversation:start last: it turns an anonymous connection into a visitor's.
      const events = Object.entries(SOCKET_POLICY).sort(([a], [b]) => Number(a.endsWith('conversation:start')) - Number(b.endsWith('conversation:start')));
      for (const [key, rule] of events) {
        if (rule.nsp !== nspName || key.endsWith('session:exit')) continue;
        const r = await call(s, key.slice(key.indexOf(' ') + 1), rule.payload);
        const passed = r.ok || !['forbidden', 'unauthorized'].includes(r.error.code);
        if (passed !== rule.who.includes(who)) wrong.push(`${key} as ${who}: ${JSON.stringify(r).slice(0, 120)} (expected ${rule.who.includes(who) ? 'allowed' : 'denied'})`);
      }
      s.disconnect();
    }
    const unknown = [...seen].filter((k) => !(k in SOCKET_POLICY));
    expect(unknown, 'socket events missing from SOCKET_POLICY: add them with who may use them').toEqual([]);
    expect(wrong).toEqual([]);
  }, 120_000);
});
