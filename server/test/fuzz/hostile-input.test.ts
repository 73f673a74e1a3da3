// Hostile input: well over 100,000 malformed or hostile payloads at the socket and HTTP surfaces, then
// the server must still be alive, must never have answered with a stack trace, must not have had its
// prototypes polluted, and must answer a normal child and a normal request as usual.
// Surfaces: Socket.IO events through the real client (wrong types, huge, deeply nested, prototype keys,
// unknown events), raw engine.io/socket.io packets over a raw WebSocket (malformed packet types, bad
// attachment counts, huge and hostile binary placeholders, invalid UTF-8, the published socket.io-parser
// and engine.io attack shapes), engine.io long-polling garbage, and HTTP bodies on every API route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { enumerateRoutes } from '../security/routes.js';
import { call, connected, createStaff, login, startTestEnv, widgetClient, type LoggedIn, type TestEnv, type WidgetClient } from '../helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ MESSAGE_RATE_PER_10S: '30', WIDGET_CONNECTIONS_PER_IP_PER_MIN: '1000000' });
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
  it('survives >100,000 malformed socket and HTTP payloads without crashing, leaking or being polluted', async () => {
    const url = env.url;
    let count = 0;
    const leaks: string[] = [];
    const check = (s: string) => {
      if (LEAK.test(s)) leaks.push(s.slice(0, 300));
    };

    // 1. Socket.IO events through the real client: 60,000 emits on 20 sockets, acks sampled.
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
      if (i % 10 === 0 && WIDGET_EVENTS.includes(ev)) {
        acks.push(
          (s as any)
            .timeout(20_000)
            .emitWithAck(ev, ...args)
            .then((r: unknown) => check(JSON.stringify(r)))
            .catch(() => {}),
        );
      } else {
        try {
          (s as any).emit(ev, ...args);
        } catch {
          // The client refuses reserved event names itself; count what it refused as not sent.
          count--;
        }
      }
      count++;
      if (i % 2000 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all(acks);
    for (const s of sockets) s.disconnect();

    // 2. Raw engine.io / socket.io packets over a raw WebSocket.
    const raw = rawPackets();
    const wsRounds = 40_000;
    let sentRaw = 0;
    while (sentRaw < wsRounds) {
      const batch = await rawSession(url, raw, Math.min(2_000, wsRounds - sentRaw), check);
      sentRaw += batch;
    }
    count += sentRaw;

    // 3. engine.io long-polling garbage.
    for (let i = 0; i < 500; i++) {
      const q = pick(['EIO=4&transport=polling', 'EIO=3&transport=polling', 'EIO=4&transport=foo', 'EIO=4&transport=polling&sid=' + hostileStr().slice(0, 50), 'EIO=99', '']);
      const res = await fetch(`${url}/socket.io/?${rawQuery(q)}`, {
        method: rand() < 0.5 ? 'GET' : 'POST',
        headers: { 'content-type': pick(['text/plain', 'application/octet-stream', 'application/json']) },
        ...(rand() < 0.5 ? {} : { body: pick(['1:', '4294967296:4hello', '0{"sid":"x"}', '\u001e\u001e', 'b4AAAA', LONE_SURROGATES]) }),
      }).catch(() => null);
      if (res) check(await res.text());
      count++;
    }

    // 4. HTTP bodies on the API routes (the routing table enumerates them).
    const routes = apiRoutes().filter(([, p]) => !p.endsWith('/logout'));
    const bodies = httpBodies();
    // Half the requests carry a staff session so the hostile bodies get past the role gates.
    const staffSessions: LoggedIn[] = [];
    for (const role of ['admin', 'supervisor', 'counsellor', 'analyst'] as const) {
      const s = await createStaff(env.app, role);
      staffSessions.push(await login(url, s.email, s.password));
    }
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
          .catch(() => {}),
      );
      if (jobs.length >= 32) await Promise.all(jobs.splice(0));
      count++;
    }
    await Promise.all(jobs);

    expect(count).toBeGreaterThanOrEqual(100_000);
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
      const sent = await call(child, 'message:send', { conversationId: started.data.conversation.id, clientMsgId: 'after-fuzz', body: 'hello' });
      expect(sent.ok).toBe(true);
    }
    child.disconnect();
  }, 120_000);
});

/** Raw frames: [frame, isBinary]. The shapes of published parser attacks are among them. */
function rawPackets(): [string | Buffer, boolean][] {
  const P = '/widget,';
  const frames: (string | Buffer)[] = [
    // engine.io packet types out of range, empty, and a probe in the wrong state
    '', '7', '8', '9', '0', '1', '2probe', '3probe', '5', '6', 'x', '\u0000',
    // socket.io packet types out of range and malformed namespaces
    '47', '48', '49', '4-', `40${P}`, '40/nope,', `40/${'a'.repeat(5000)},`, '40/widget', '41/widget,', `44${P}{"x":1}`,
    // malformed events
    `42${P}`, `42${P}[`, `42${P}{}`, `42${P}"str"`, `42${P}[]`, `42${P}[1]`, `42${P}[null]`, `42${P}["message:send"`, `42${P}1e400["x"]`,
    `42${P}99999999999999999999["conversation:start",{}]`, `42${P}-1["conversation:start",{}]`,
    `42${P}["__proto__",{}]`, `42${P}["constructor",{"prototype":{"polluted":1}}]`, `42${P}["conversation:start",{"__proto__":{"polluted":"yes"}}]`,
    `42${P}["message:send",${'['.repeat(5000)}${']'.repeat(5000)}]`, `42${P}["message:send",${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}]`,
    `42${P}["message:send","${'\\ud800'.repeat(1000)}"]`,
    // binary events with bad attachment counts (CVE-2020-36049 resource exhaustion shape)
    `45${P}[]`, `45-${P}["x"]`, `4999999999-${P}["x"]`, `451-${P}["x",{"_placeholder":true,"num":0}]`, `45${'9'.repeat(30)}-${P}["x"]`,
    // hostile placeholders (CVE-2022-2421 / CVE-2023-32695 shapes)
    `451-${P}["x",{"_placeholder":true,"num":"__proto__"}]`, `451-${P}["x",{"_placeholder":true,"num":"toString"}]`, `451-${P}["x",{"_placeholder":true,"num":-1}]`,
    `451-${P}["x",{"_placeholder":true,"num":99999}]`, `451-${P}["x",{"_placeholder":true}]`, `452-${P}["message:send",{"_placeholder":true,"num":1e9},{"_placeholder":true,"num":"constructor"}]`,
    `461-${P}0[{"_placeholder":true,"num":"__proto__"}]`,
    // acks for ids that were never sent
    `43${P}5[]`, `43${P}x[]`, `43${P}-5["x"]`,
    // invalid UTF-8 as binary frames, and binary frames with no binary packet announced
    Buffer.from([0xc3, 0x28]), Buffer.from([0xff, 0xff, 0xff]), Buffer.from([0x34, 0x32, 0xed, 0xa0, 0x80]), Buffer.alloc(70 * 1024, 0x41),
  ];
  return frames.map((f) => [f, Buffer.isBuffer(f)]);
}

/** One raw WebSocket session: connect to /widget, then send `n` frames; reconnect when the server closes. */
async function rawSession(url: string, frames: [string | Buffer, boolean][], n: number, check: (s: string) => void): Promise<number> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { origin: url } });
  ws.on('message', (d) => check(d.toString()));
  ws.on('error', () => {});
  await new Promise<void>((resolve) => {
    ws.once('open', () => resolve());
    ws.once('error', () => resolve());
    ws.once('close', () => resolve());
  });
  if (ws.readyState !== WebSocket.OPEN) return 1;
  ws.send(`40/widget,{"hostOrigin":"${url}"}`);
  let sent = 0;
  while (sent < n && ws.readyState === WebSocket.OPEN) {
    const [f, binary] = frames[sent % frames.length]!;
    ws.send(f, { binary });
    sent++;
    // Keep the socket's buffer bounded; the server closes on a fatal frame and we start again.
    if (ws.bufferedAmount > 1 << 20) await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    setTimeout(() => {
      ws.terminate();
      resolve();
    }, 200);
  });
  return Math.max(sent, 1);
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
