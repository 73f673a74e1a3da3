// Web security promises: strict security headers and CSP on every page, CSRF protection on
// cookie-authenticated changes, sessions that expire and can be revoked, foreign origins refused at
// the socket handshake, and rate limits per visitor session and per IP that a school can live with.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { Redis } from 'ioredis';
import { io as ioc } from 'socket.io-client';
import { createRateLimits, SYNC_MS } from '../../src/ratelimit/service.js';
import { agentClient, api, call, connected, createStaff, deleteRedisPrefix, eventually, login, next, startTestEnv, TEST_REDIS_URL, uid, widgetClient, type TestEnv } from '../helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ SESSION_TTL_MS: '4000', MESSAGE_RATE_PER_10S: '5', WIDGET_CONNECTIONS_PER_IP_PER_MIN: '600' });
});
afterAll(async () => {
  await env?.close();
});

const PAGES = ['/', '/console', '/console/', '/widget', '/widget/', '/demo', '/report', '/widget.js', '/api/auth/me', '/api/widget/config', '/api/widget/allowed', '/no-such-page'];

describe('security headers', () => {
  it('every page carries a strict Content-Security-Policy and the usual hardening headers', async () => {
    for (const path of PAGES) {
      const res = await fetch(`${env.url}${path}`, { redirect: 'manual' });
      await res.arrayBuffer();
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("default-src 'self'");
      expect(csp, path).toContain("object-src 'none'");
      expect(csp, path).toContain("base-uri 'none'");
      expect(csp, path).toMatch(/frame-ancestors [^;]+/);
      const scriptSrc = /script-src ([^;]+)/.exec(csp)?.[1] ?? '';
      expect(scriptSrc, path).not.toContain("'unsafe-inline'");
      expect(csp, path).not.toContain("'unsafe-eval'");
      // Sockets and fetches to the platform itself only ('self' covers ws: and wss: to the same host):
      // no ws:/wss: wildcard that would let injected script open a socket to any host.
      expect(/connect-src ([^;]+)/.exec(csp)?.[1]?.trim(), path).toBe("'self'");
      expect(csp, path).not.toMatch(/(^|[\s;])wss?:(?=[\s;]|$)/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
      expect(res.headers.get('x-powered-by'), path).toBeNull();
      expect(res.headers.get('cross-origin-opener-policy'), path).toBe('same-origin');
    }
  });

  it('never lets a browser or a proxy keep the console or widget pages (the next release reaches everyone)', async () => {
    for (const path of ['/console/', '/console/index.html', '/console/cases/123', '/widget/', '/widget/index.html']) {
      const res = await fetch(`${env.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      await res.arrayBuffer();
      expect(res.headers.get('cache-control'), path).toBe('no-store');
    }
    // What those pages name is hashed by the build, so it may be kept for good.
    for (const page of ['/console/', '/widget/']) {
      const html = await (await fetch(`${env.url}${page}`)).text();
      const asset = /(?:src|href)="([^"]+\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(asset, page).toBeTruthy();
      const res = await fetch(new URL(asset!, `${env.url}${page}`));
      expect(res.status, asset).toBe(200);
      await res.arrayBuffer();
      expect(res.headers.get('cache-control'), asset).toBe('public, max-age=31536000, immutable');
    }
  });
});

describe('sessions and CSRF', () => {
  it('sets an HttpOnly, SameSite=Strict cookie and refuses changes without the CSRF token', async () => {
    const s = await createStaff(env.app, 'admin');
    const res = await fetch(`${env.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: s.email, password: s.password }) });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const who = await login(env.url, s.email, s.password);
    const body = { name: 'CSRF test', kind: 'police' };
    for (const headers of [{}, { 'x-csrf-token': 'wrong' }] as Record<string, string>[]) {
      const r = await fetch(`${env.url}/api/canned`, { method: 'POST', headers: { 'content-type': 'application/json', cookie: who.cookie, ...headers }, body: JSON.stringify(body) });
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
    // With the token the same request passes the guard (validation decides the rest).
    const ok = await api(env.url, who, 'POST', '/api/canned', body);
    expect([200, 201, 400]).toContain(ok.status);
  });

  it('expires sessions after SESSION_TTL_MS, for HTTP and sockets', async () => {
    const s = await createStaff(env.app, 'counsellor');
    const who = await login(env.url, s.email, s.password);
    expect((await api(env.url, who, 'GET', '/api/auth/me')).status).toBe(200);
    await eventually(async () => (await api(env.url, who, 'GET', '/api/auth/me')).status === 401, 10_000, 250);
    const agent = agentClient(env.url, who);
    const err = await new Promise<Error>((resolve) => agent.once('connect_error', resolve));
    expect(err.message).toBe('unauthorized');
    agent.disconnect();
  });

  it('revokes a session on logout, on every socket of that session too', async () => {
    const s = await createStaff(env.app, 'counsellor');
    const who = await login(env.url, s.email, s.password);
    const agent = agentClient(env.url, who);
    await connected(agent);
    const ended = next(agent, 'session:ended');
    expect((await api(env.url, who, 'POST', '/api/auth/logout', {})).status).toBe(200);
    expect((await ended).reason).toBe('revoked');
    expect((await api(env.url, who, 'GET', '/api/auth/me')).status).toBe(401);
    agent.disconnect();
  });
});

describe('origins', () => {
  it('refuses widget and console sockets from a foreign origin at the handshake', async () => {
    // One client at a time: each listener must be in place before its handshake can fail.
    for (const opts of [{ origin: 'https://evil.example' }, { hostOrigin: 'https://evil.example' }]) {
      const c = widgetClient(env.url, opts);
      const err = await new Promise<Error>((resolve) => c.once('connect_error', resolve));
      expect(err.message).toBe('origin_not_allowed');
      c.disconnect();
    }
    const s = await createStaff(env.app, 'counsellor');
    const who = await login(env.url, s.email, s.password);
    const agent = agentClient(env.url, who, { origin: 'https://evil.example' });
    const err = await new Promise<Error>((resolve) => agent.once('connect_error', resolve));
    expect(err.message).toBe('origin_not_allowed');
    agent.disconnect();
  });
});

/** A GET with headers fetch() will not send as given (Host). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        let data = '';
        res.on('data', (d: Buffer) => (data += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) as unknown }));
      })
      .on('error', reject);
  });
}

describe('origins with PUBLIC_URL set', () => {
  it('only its origin is the platform\'s own: the same server reached at another address is refused', async () => {
    // Origin and Host agree (a page of this very server, reached as localhost), but PUBLIC_URL is 127.0.0.1.
    const { port } = new URL(env.url);
    const other = `http://localhost:${port}`;
    const sameServer = { origin: other, host: `localhost:${port}` };
    for (const nsp of ['widget', 'agent']) {
      const c = ioc(`${env.url}/${nsp}`, { transports: ['websocket'], extraHeaders: sameServer, auth: { hostOrigin: other }, reconnection: false, forceNew: true });
      const outcome = await new Promise<string>((resolve) => {
        c.once('connect_error', (e) => resolve(e.message));
        c.once('connect', () => resolve('connected'));
      });
      expect(outcome, nsp).toBe('origin_not_allowed');
      c.disconnect();
    }
    expect(await rawGet(`${env.url}/api/widget/allowed`, sameServer)).toEqual({ status: 200, body: { allowed: false } });
    expect(await rawGet(`${env.url}/api/widget/allowed`, { origin: env.url })).toEqual({ status: 200, body: { allowed: true } });
    const csp = (await fetch(`${env.url}/widget/`)).headers.get('content-security-policy') ?? '';
    expect(/frame-ancestors ([^;]+)/.exec(csp)?.[1]?.trim()).toBe(env.url);
  });
});

describe('rate limits', () => {
  it('limits one visitor session with a clear, retryable error', async () => {
    const child = widgetClient(env.url);
    await connected(child);
    const started = await call(child, 'conversation:start', { language: 'en' });
    expect(started.ok).toBe(true);
    if (!started.ok) return;
    const results = [];
    for (let i = 0; i < 11; i++) results.push(await call(child, 'message:send', { conversationId: started.data.conversation.id, clientMsgId: `rl-${i}`, body: `message ${i}` }));
    const refused = results.filter((r) => !r.ok);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]).toMatchObject({ ok: false, error: { code: 'rate_limited', retryable: true } });
    expect((refused[0] as { error: { message: string } }).error.message).toMatch(/wait \d+ s/);
    child.disconnect();
  });

  it('lets a whole class behind one IP chat, but caps the IP far above one session', async () => {
    // 30 children of one school, 5 messages each within the window: all pass.
    for (let v = 0; v < 30; v++) for (let i = 0; i < 5; i++) await env.app.rateLimits.visitorMessage(`class-${v}`, '203.0.113.7');
    // The IP ceiling (40 sessions' worth) still stops a flood from one address.
    let refused: unknown = null;
    for (let v = 0; v < 500 && !refused; v++) await env.app.rateLimits.visitorMessage(`flood-${v}`, '203.0.113.8').catch((e: unknown) => (refused = e));
    expect(refused).toMatchObject({ code: 'rate_limited' });
  });

  it('sees a flood spread over several instances within the sync interval', async () => {
    // Two instances' counters on the same Redis: each counts its own messages at once and learns the
    // other's at the next sync. Limits: 5 per session, 200 per IP in 10 s.
    const redisA = new Redis(TEST_REDIS_URL);
    const redisB = new Redis(TEST_REDIS_URL);
    const prefix = `rl${uid()}`;
    // The counters are per 10 s window: both instances read one clock standing at the start of a
    // window, so the whole test stays inside it without waiting for one to begin.
    const windowStart = Math.floor(Date.now() / 10_000) * 10_000;
    const clock = { now: () => windowStart };
    try {
      const a = createRateLimits(redisA, prefix, { messagesPer10s: 5 }, clock);
      const b = createRateLimits(redisB, prefix, { messagesPer10s: 5 }, clock);
      // A session is exact on its own instance.
      for (let i = 0; i < 5; i++) await a.visitorMessage('one-child', '198.51.100.1');
      await expect(a.visitorMessage('one-child', '198.51.100.1')).rejects.toMatchObject({ code: 'rate_limited' });
      // 120 messages from one IP on each instance: neither alone is over 200, together they are.
      for (let v = 0; v < 120; v++) await a.visitorMessage(`a-${v}`, '198.51.100.2');
      for (let v = 0; v < 120; v++) await b.visitorMessage(`b-${v}`, '198.51.100.2');
      // Each instance learns the shared total at a sync after its next hits: from then on it refuses,
      // within a few sync intervals.
      let n = 0;
      const refusedSoon = (limits: typeof a, name: string) =>
        eventually(() => limits.visitorMessage(`${name}-${n++}`, '198.51.100.2').then(() => false, (e: { code?: string }) => e.code === 'rate_limited'), SYNC_MS * 10, SYNC_MS / 2);
      await refusedSoon(a, 'a-next');
      await refusedSoon(b, 'b-next');
      // Another IP is not affected.
      await a.visitorMessage('a-other', '198.51.100.3');
    } finally {
      redisA.disconnect();
      redisB.disconnect();
      await deleteRedisPrefix(prefix);
    }
  });

  it('caps widget handshakes per IP with a typed error (run last: it exhausts this IP)', async () => {
    // The limit counts per minute: start just after a minute begins, so that the hits and the handshake
    // fall in the same window even on a loaded machine.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_000 - intoMinute + 50));
    await Promise.all(
      ['127.0.0.1', '::ffff:127.0.0.1'].map(async (ip) => {
        for (let i = 0; i < 601; i++) await env.app.rateLimits.widgetConnection(ip).catch(() => {});
      }),
    );
    const c = widgetClient(env.url);
    const outcome = await new Promise<Error & { data?: { code: string; retryable?: boolean } }>((resolve) => {
      c.once('connect_error', resolve);
      c.once('connect', () => resolve(new Error('connected: the handshake was not refused')));
    });
    expect(outcome.message).toBe('rate_limited');
    expect(outcome.data).toMatchObject({ code: 'rate_limited', retryable: true });
    c.disconnect();
  }, 120_000);
});
