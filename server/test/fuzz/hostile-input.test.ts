// Hostile input: at least 100,000 malformed or hostile payloads that the SERVER parsed (counted at its
// own parse steps, see server-counts.ts, not at the client), then the server must still be alive, must
// never have answered with a stack trace, must not have had its prototypes polluted, and must answer a
// normal child and a normal request as usual.
// Surfaces: Socket.IO events through the real client (wrong types, huge, deeply nested, prototype keys,
// unknown events), raw engine.io/socket.io packets over a raw WebSocket (malformed packet types, bad
// attachment counts, hostile binary placeholders, invalid UTF-8, the published socket.io-parser and
// engine.io attack shapes; each of them must be shown to have reached the parser), engine.io
// long-polling garbage on live and unknown sessions, and HTTP bodies on every API route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enumerateRoutes } from '../security/routes.js';
import { call, connected, createStaff, login, startTestEnv, widgetClient, type LoggedIn, type TestEnv, type WidgetClient } from '../helpers.js';
import { createServerCounts, ENGINE_ERROR, frameKey } from './server-counts.js';
import { rawKinds, rawSession, type RawKind, type RawSessionResult } from './raw-frames.js';

const KINDS = rawKinds();
const FRAMES = KINDS.flatMap((k) => k.frames);
const counts = createServerCounts(FRAMES);

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ MESSAGE_RATE_PER_10S: '30', WIDGET_CONNECTIONS_PER_IP_PER_MIN: '1000000' }, { beforeListen: (app) => counts.watch(app) });
});
afterAll(async () => {
  await env?.close();
});

/** A stack frame, a file path or an internal error name must never reach a client. */
const LEAK = /\bat [\w.<>$]+ \(|\bat (file|node):|\.(ts|js|mjs):\d+|node_modules|PostgresError|DrizzleQueryError|TypeError|ReferenceError|SyntaxError: Unexpected/;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const rand = rng(20261123);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

function nested(depth: number, kind: 'array' | 'object'): unknown {
  let v: unknown = 'x';
  for (let i = 0; i < depth; i++) v = kind === 'array' ? [v] : { a: v };
  return v;
}
function protoBomb(): unknown {
  return JSON.parse('{"__proto__":{"polluted":"yes","isAdmin":true},"constructor":{"prototype":{"polluted":"yes"}},"conversationId":"00000000-0000-0000-0000-000000000000"}');
}
const LONE_SURROGATES = '\ud800\udfff\udbff\ud800x\udc00';

/** Hostile values for a field or a whole payload. */
function hostileValue(): unknown {
  switch (Math.floor(rand() * 16)) {
    case 0: return null;
    case 1: return undefined;
    case 2: return Math.floor(rand() * 2 ** 53) * (rand() < 0.5 ? -1 : 1);
    case 3: return pick([NaN, Infinity, -0, 1e308, -1e-308]);
    case 4: return 'x'.repeat(Math.floor(rand() * 20_000));
    case 5: return LONE_SURROGATES.repeat(Math.floor(rand() * 50) + 1);
    case 6: return nested(Math.floor(rand() * 200) + 1, 'array');
    case 7: return nested(Math.floor(rand() * 200) + 1, 'object');
    case 8: return protoBomb();
    case 9: return { conversationId: pick(['', 'not-a-uuid', '00000000-0000-0000-0000-000000000000', 'DROP TABLE messages;--']), clientMsgId: hostileStr(), body: hostileStr() };
    case 10: return [1, 'two', { three: 3 }];
    case 11: return Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]);
    case 12: return { afterSeq: pick([-1, 1e12, '5', null, 1.5]), seq: pick([-1, 'x', 2 ** 31]) };
    case 13: return { language: pick(['xx', '__proto__', 'constructor', '', 'bg'.repeat(1000)]), extra: 1 };
    case 14: return true;
    default: return hostileStr();
  }
}
function hostileStr(): string {
  return pick(['', ' ', '\u0000\u0001\u0002', '<script>alert(1)</script>', '${7*7}{{7*7}}', "' or 1=1 --", '../../../../etc/passwd', '%00%ff', LONE_SURROGATES, '🙂'.repeat(3000), 'a'.repeat(5000)]);
}

const WIDGET_EVENTS = ['conversation:start', 'conversation:resume', 'message:send', 'typing', 'message:read', 'conversation:end', 'service:status', 'session:exit'];
const ODD_EVENTS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'connect', 'disconnect', 'error', 'newListener', 'x'.repeat(1000), ''];

describe('hostile input', () => {
  it('the frame list is attributable: every frame but the parse-error ones has its own key', () => {
    const keys = FRAMES.map(frameKey).filter((k) => k !== ENGINE_ERROR);
    expect(new Set(keys).size).toBe(keys.length);
    // A parse-error frame is only known by the session it ended, so it may only end one.
    expect(KINDS.filter((k) => k.frames.some((f) => frameKey(f) === ENGINE_ERROR) && !k.ends)).toEqual([]);
  });

  it('survives >=100,000 malformed payloads parsed by the server without crashing, leaking or being polluted', async () => {
    const url = env.url;
    const sent = { events: 0, raw: 0, polling: 0, http: 0 };
    const leaks: string[] = [];
    const check = (s: string) => {
      if (LEAK.test(s)) leaks.push(s.slice(0, 300));
    };
    // Wall and CPU time per phase (the server runs in this process, so CPU is client and server).
    const took: Record<string, number> = {};
    const cpu: Record<string, number> = {};
    let mark = { t: Date.now(), c: process.cpuUsage() };
    const lap = (phase: string) => {
      const c = process.cpuUsage(mark.c);
      took[phase] = Date.now() - mark.t;
      cpu[phase] = Math.round((c.user + c.system) / 1000);
      mark = { t: Date.now(), c: process.cpuUsage() };
    };
    const fetchErrors: string[] = [];

    // 1. Socket.IO events through the real client: 60,000 emits on 20 sockets, acks sampled.
    counts.surface = 'events';
    const sockets: WidgetClient[] = [];
    for (let i = 0; i < 20; i++) {
      const s = widgetClient(url);
      await connected(s);
      sockets.push(s);
    }
    const acks: Promise<unknown>[] = [];
    for (let i = 0; i < 60_000; i++) {
      const s = sockets[i % sockets.length]!;
      const ev = rand() < 0.85 ? pick(WIDGET_EVENTS) : pick(ODD_EVENTS);
      const args = rand() < 0.2 ? [hostileValue(), hostileValue(), hostileValue()] : [hostileValue()];
      try {
        if (i % 10 === 0 && WIDGET_EVENTS.includes(ev)) {
          acks.push(
            (s as any)
              .timeout(20_000)
              .emitWithAck(ev, ...args)
              .then((r: unknown) => check(JSON.stringify(r)))
              .catch(() => {}),
          );
        } else (s as any).emit(ev, ...args);
        sent.events++;
      } catch {
        // The client refuses reserved event names itself: not sent.
      }
      if (i % 2000 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(acks);
    for (const s of sockets) s.disconnect();
    lap('events');

    // 2. Raw engine.io / socket.io frames over raw WebSockets, in sessions that each end on one fatal
    // frame (the server drops what follows it), four sessions at a time.
    counts.surface = 'raw';
    const survivors = KINDS.filter((k) => !k.ends);
    const enders = KINDS.filter((k) => k.ends);
    const plan: { body: RawKind[]; ending: RawKind }[] = [];
    for (let planned = 0, i = 0; planned < RAW_FRAMES; i++) {
      const body = Array.from({ length: RAW_SESSION_BODY }, () => pick(survivors));
      const ending = enders[i % enders.length]!;
      plan.push({ body, ending });
      planned += body.reduce((n, k) => n + k.frames.length, 0) + ending.frames.length;
    }
    const sessions: RawSessionResult[] = [];
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let job = plan.shift(); job; job = plan.shift()) sessions.push(await rawSession(url, job.body, job.ending, check));
      }),
    );
    sent.raw = sessions.reduce((n, s) => n + s.written, 0);
    lap('raw');

    // 3. engine.io long-polling garbage: mostly on a live session (it reaches engine.io's payload
    // parser), the rest on no session, an unknown one or a wrong protocol (refused before it).
    counts.surface = 'polling';
    for (let i = 0; i < 500; i++) {
      const contentType = pick(['text/plain;charset=UTF-8', 'text/plain', 'application/octet-stream', 'application/json']);
      if (rand() < 0.8) {
        const hs = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
        const open = await hs.text();
        check(open);
        const sid = (JSON.parse(open.slice(1)) as { sid: string }).sid;
        const body = Array.from({ length: 1 + Math.floor(rand() * 4) }, () => pick(POLL_PACKETS)).join('\u001e');
        const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling&sid=${encodeURIComponent(sid)}`, { method: 'POST', headers: { 'content-type': contentType }, body });
        check(await res.text());
      } else {
        const q = pick(['EIO=4&transport=polling&sid=' + hostileStr().slice(0, 50), 'EIO=3&transport=polling', 'EIO=4&transport=foo', 'EIO=99', '']);
        const res = await fetch(`${url}/socket.io/?${rawQuery(q)}`, {
          method: 'POST',
          headers: { 'content-type': contentType },
          ...(rand() < 0.2 ? {} : { body: pick(POLL_PACKETS) }),
        }).catch(() => null);
        if (res) check(await res.text());
      }
      sent.polling++;
    }
    lap('polling');

    // 4. HTTP bodies on the API routes (the routing table enumerates them).
    const routes = apiRoutes().filter(([, p]) => !p.endsWith('/logout'));
    const bodies = httpBodies();
    // Half the requests carry a staff session so the hostile bodies get past the role gates.
    const staffSessions: LoggedIn[] = [];
    for (const role of ['admin', 'supervisor', 'counsellor', 'analyst'] as const) {
      const s = await createStaff(env.app, role);
      staffSessions.push(await login(url, s.email, s.password));
    }
    counts.surface = 'http';
    const jobs: Promise<void>[] = [];
    for (let i = 0; i < 4_000; i++) {
      const [method, path] = pick(routes);
      const body = pick(bodies);
      jobs.push(
        fetch(`${url}${path}`, { method, headers: { 'content-type': body.type, origin: pick([url, 'https://evil.example']), ...sessionHeaders(rand() < 0.5 ? pick(staffSessions) : null) }, ...(method === 'GET' || method === 'HEAD' ? {} : { body: body.data as unknown as string }) })
          .then(async (res) => {
            const text = await res.text();
            check(text);
            if (res.status >= 500 && res.status !== 503) leaks.push(`${method} ${path} → ${res.status} ${text.slice(0, 200)}`);
          })
          .catch((e: Error) => void fetchErrors.push(`${method} ${path} ${body.type}: ${e.message} ${String((e.cause as Error | undefined)?.message)}`)),
      );
      if (jobs.length >= 32) await Promise.all(jobs.splice(0));
      sent.http++;
    }
    await Promise.all(jobs);
    lap('http');

    // What the server parsed, per surface: an event the decoder produced or a chunk it threw on; a raw
    // frame engine.io decoded (the session's own join and closer frames not counted); a long-polling
    // packet engine.io decoded; an HTTP request received.
    const S = counts.bySurface;
    const rawPerKind = KINDS.map((kind) => ({ kind, ...reachedOf(kind, sessions) }));
    const parsed = {
      events: S.events.decodedEvents + S.events.rejected,
      raw: counts.frames.reduce((n, f) => n + f.engine, 0) + S.raw.engineErrors,
      polling: S.polling.enginePackets,
      http: S.http.httpRequests,
    };
    const total = parsed.events + parsed.raw + parsed.polling + parsed.http;
    console.log(
      JSON.stringify({
        fuzz: { total, parsed, sent, ms: took, cpuMs: cpu, fetchErrors: fetchErrors.slice(0, 5), sessions: sessions.length },
        server: S,
        cve: rawPerKind.filter((r) => r.kind.cve).map((r) => ({ cve: r.kind.cve, name: r.kind.name, engine: r.engine, decoder: r.decoderInputs, rejected: r.rejected, decoded: r.decoded })),
      }),
    );

    expect(total).toBeGreaterThanOrEqual(100_000);
    // Long-polling garbage reached engine.io's payload parser; hostile HTTP bodies reached the body
    // parser, and it refused some of them.
    expect(S.polling.enginePackets).toBeGreaterThan(0);
    expect(S.http.httpBodiesToParser).toBeGreaterThan(0);
    expect(S.http.httpBodiesParsed).toBeLessThan(S.http.httpBodiesToParser);
    // Each raw frame kind reached engine.io's parser (the oversize frame: refused before it, by the
    // transport's size limit), each socket.io packet of them its decoder, and no published attack shape
    // came out of the decoder as a packet.
    const missed = rawPerKind.filter((r) => (r.kind.oversize ? r.engine !== 0 : r.engine === 0 || (r.viaDecoder && r.decoderInputs === 0)));
    expect(missed.map((r) => r.kind.name)).toEqual([]);
    const cveDecoded = rawPerKind.filter((r) => r.kind.cve && r.kind.ends && !r.kind.oversize && (r.decoded !== 0 || r.rejected === 0));
    expect(cveDecoded.map((r) => r.kind.name)).toEqual([]);
    const oversizeSessions = sessions.filter((s) => s.ending.oversize);
    expect(oversizeSessions.length).toBeGreaterThan(0);
    expect(oversizeSessions.filter((s) => s.closeCode !== 1009)).toEqual([]);
    expect(oversizeSessions.filter((s) => counts.closeBySid.get(s.sid!) !== 'transport error')).toEqual([]);
    // A session not closed by the server means its ending frame did not end it.
    expect(sessions.filter((s) => s.closeCode === null).map((s) => s.ending.name)).toEqual([]);

    expect(leaks).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();

    // The server answers normally afterwards.
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const child = widgetClient(url);
    await connected(child);
    const started = await call(child, 'conversation:start', { language: 'en' });
    expect(started.ok).toBe(true);
    if (started.ok) {
      const sentMsg = await call(child, 'message:send', { conversationId: started.data.conversation.id, clientMsgId: 'after-fuzz', body: 'hello' });
      expect(sentMsg.ok).toBe(true);
    }
    child.disconnect();
  }, 180_000);
});

const RAW_FRAMES = 45_000;
const RAW_SESSION_BODY = 100;

/** Engine.io long-polling payloads (packets joined by the record separator). */
const POLL_PACKETS = ['1:', '4294967296:4hello', '0{"sid":"x"}', '', 'b4AAAA', 'bAQID', LONE_SURROGATES, '6', '3probe', '2', '40/nope,', '42/widget,["x"]', '451-/widget,["x",{"_placeholder":true,"num":"__proto__"}]'];

/**
 * How often the server's parsers met a raw kind. Its head frame's own key counts it; a parse-error
 * frame has no key of its own, so it counts in each session it ended on whose engine.io socket the
 * server saw a parse error.
 */
function reachedOf(kind: RawKind, sessions: RawSessionResult[]) {
  const head = FRAMES.indexOf(kind.frames[0]!);
  const f = counts.frames[head]!;
  const isError = frameKey(kind.frames[0]!) === ENGINE_ERROR;
  const engine = isError ? sessions.filter((s) => s.ending === kind && s.sid && (counts.errorsBySid.get(s.sid) ?? 0) > 0).length : f.engine;
  const viaDecoder = typeof kind.frames[0] !== 'string' || kind.frames[0].startsWith('4');
  return { engine, viaDecoder, decoderInputs: f.decoderInputs, decoded: f.decoded, rejected: f.rejected };
}

/** Percent-encode bytes (lone surrogates become U+FFFD's bytes) without throwing like encodeURI does. */
function rawQuery(q: string): string {
  return [...Buffer.from(q)].map((b) => (b > 0x20 && b < 0x7f && b !== 0x25 && b !== 0x23 ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`)).join('');
}

function apiRoutes(): [string, string][] {
  const U = '00000000-0000-4000-8000-000000000000';
  const out = enumerateRoutes(env.app.printRoutes({ commonPrefix: false }))
    .filter(([, p]) => p.startsWith('/api'))
    .map(([m, p]) => [m, p.replace(/:(\w+)/g, (_s, name: string) => (name === 'key' ? 'widget' : U))] as [string, string]);
  return out.length ? out : [['POST', '/api/auth/login']];
}

function sessionHeaders(who: LoggedIn | null): Record<string, string> {
  return who ? { cookie: who.cookie, 'x-csrf-token': who.csrfToken } : {};
}

function httpBodies(): { type: string; data: string | Uint8Array }[] {
  return [
    { type: 'application/json', data: '{' },
    { type: 'application/json', data: 'null' },
    { type: 'application/json', data: '[]' },
    { type: 'application/json', data: '"x"' },
    { type: 'application/json', data: '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}' },
    { type: 'application/json', data: '['.repeat(20_000) + ']'.repeat(20_000) },
    { type: 'application/json', data: JSON.stringify({ email: 'a'.repeat(10_000), password: 1 }) },
    { type: 'application/json', data: JSON.stringify({ x: 'y'.repeat(70 * 1024) }) },
    { type: 'application/json', data: new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]) },
    { type: 'application/json', data: JSON.stringify(nested(500, 'object')) },
    { type: 'text/plain', data: 'hello' },
    { type: 'application/x-www-form-urlencoded', data: 'a=1&__proto__[polluted]=yes' },
    { type: 'multipart/form-data; boundary=x', data: '--x\r\nContent-Disposition: form-data; name="f"; filename="a.png"\r\n\r\nPNG\r\n--x--' },
    { type: 'application/json; charset=utf-7', data: '{}' },
  ];
}
