// Logs never hold passwords, session or CSRF tokens, visitor tokens, return codes or message text.
// A server process runs at LOG_LEVEL=debug; a login, a chat both ways, a failed login, malformed input
// and a logout go through it; then its whole output is searched for every secret it saw.
// Nor do they hold a client's address: public requests from a distinctive address at LOG_LEVEL=trace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioc } from 'socket.io-client';
import { api, call, connected, createTestDatabase, deleteRedisPrefix, uid } from '../helpers.js';
import { spawnInstance, type InstanceProcess } from '../processes.js';
import { createStaffIn, joinedChat } from '../faults/support.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let inst: InstanceProcess;
const prefix = `t${uid()}`;

beforeAll(async () => {
  db = await createTestDatabase();
  inst = await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env: { LOG_LEVEL: 'debug', AUTO_ACCEPT: 'true', DATABASE_POOL_SIZE: '4' } });
}, 60_000);
afterAll(async () => {
  await inst?.kill('SIGTERM');
  await db?.drop();
  await deleteRedisPrefix(prefix);
});

describe('logs', () => {
  it('contain no password, token or message text', async () => {
    const staff = await createStaffIn(db.url, 'counsellor', { name: 'Mira' });
    const wrongPassword = `wrong-${uid(8)}`;
    const bad = await fetch(`${inst.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: staff.email, password: wrongPassword }) });
    expect(bad.status).toBe(401);
    const { who, agent, child, conversationId, visitorToken } = await joinedChat(inst.url, staff);
    const childText = `my secret is ${uid(6)} and I want to kill myself`;
    const counsellorText = `counsellor reply ${uid(6)}`;
    expect((await call(child, 'message:send', { conversationId, clientMsgId: 'log-1', body: childText })).ok).toBe(true);
    expect((await call(agent, 'message:send', { conversationId, clientMsgId: 'log-2', body: counsellorText })).ok).toBe(true);
    // Invalid input carrying text: the error path must not log it either.
    const invalidText = `invalid ${uid(6)}`;
    await call(child, 'message:send', { conversationId, clientMsgId: 'bad id with spaces', body: invalidText });
    const code = await api(inst.url, who, 'POST', `/api/conversations/${conversationId}/return-code`, {});
    const returnCode = code.status === 200 ? (code.body.code as string) : null;
    await api(inst.url, who, 'POST', '/api/auth/logout', {});
    child.disconnect();
    agent.disconnect();
    await inst.kill('SIGTERM');

    const out = inst.output.join('');
    expect(out.length).toBeGreaterThan(0);
    const sessionToken = who.cookie.split('=')[1]!;
    const secrets: [string, string][] = [
      ['password', staff.password],
      ['wrong password', wrongPassword],
      ['session token', sessionToken],
      ['CSRF token', who.csrfToken],
      ['visitor token', visitorToken],
      ['child message', childText],
      ['child message fragment', childText.slice(0, 20)],
      ['counsellor message', counsellorText],
      ['invalid message', invalidText],
      ...(returnCode ? [['return code', returnCode] as [string, string]] : []),
    ];
    for (const [what, secret] of secrets) expect(out.includes(secret), `${what} found in the logs`).toBe(false);
  }, 60_000);

  it('contain no client address, for public requests or any other', async () => {
    const ADDRESS = '203.0.113.77';
    const traced = await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env: { LOG_LEVEL: 'trace', TRUST_PROXY: 'true', DATABASE_POOL_SIZE: '4' } });
    try {
      const headers = { 'x-forwarded-for': ADDRESS, origin: traced.url, 'content-type': 'application/json' };
      const calls: [string, string, unknown?][] = [
        ['GET', '/api/widget/config'],
        ['POST', '/api/widget/offline-messages', { body: 'please call me back' }],
        ['POST', '/api/widget/offline-messages/status', { reference: 'OM-XXXX', pickupCode: 'nope' }],
        ['GET', '/api/hotline/challenge'],
        ['POST', '/api/hotline/reports', { urls: ['https://example.com/x'] }],
        ['POST', '/api/hotline/status', { reference: 'HR-XXXXXX', pickupCode: 'XXXX-XXXX-XXXX' }],
        ['POST', '/api/auth/login', { email: 'nobody@test.local', password: 'wrong' }],
        ['GET', '/widget.js'],
        ['GET', '/report'],
        ['GET', '/api/nothing-here'],
      ];
      for (const [method, path, body] of calls) {
        const res = await fetch(`${traced.url}${path}`, { method, headers, ...(body ? { body: JSON.stringify(body) } : {}) });
        await res.arrayBuffer();
      }
      // A widget handshake from that address, and a refused one (wrong origin).
      const widget = (origin: string) =>
        ioc(`${traced.url}/widget`, { transports: ['websocket'], extraHeaders: { origin, 'x-forwarded-for': ADDRESS }, auth: { hostOrigin: origin }, reconnection: false, forceNew: true });
      const child = widget(traced.url);
      await connected(child);
      expect((await call(child, 'conversation:start', { language: 'en' })).ok).toBe(true);
      child.disconnect();
      const refused = widget('https://elsewhere.example');
      await new Promise((resolve) => refused.once('connect_error', resolve));
      refused.disconnect();
    } finally {
      await traced.kill('SIGTERM');
    }
    const out = traced.output.join('');
    expect(out).toContain('incoming request');
    expect(out.includes(ADDRESS), 'the client address is in the logs').toBe(false);
    // Nor the direct peer (the proxy here) under Fastify's names for it.
    for (const key of ['remoteAddress', 'remotePort']) expect(out.includes(key), `${key} is in the logs`).toBe(false);
  }, 60_000);
});
