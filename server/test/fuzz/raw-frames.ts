// Raw engine.io / socket.io frames for the hostile-input test, and the WebSocket sessions that deliver
// them. A fatal frame (one the server answers by closing the connection) makes the server drop whatever
// follows it, so a session connects to /widget, waits until the namespace is joined, sends frames the
// server survives, and ends with exactly one fatal frame; the next session starts afresh.
import WebSocket from 'ws';

export interface RawKind {
  name: string;
  /** A packet and, for a binary packet, its attachments (each frame unique in the list). */
  frames: (string | Buffer)[];
  /** The server closes the connection on it (or leaves the namespace): it can only end a session. */
  ends: boolean;
  /** The published attack it has the shape of. */
  cve?: string;
  /** Larger than the server's frame limit: the transport must refuse it before any parser. */
  oversize?: boolean;
}

const P = '/widget,';
const att = (name: string) => Buffer.from(`attachment of ${name}`);
const k = (name: string, frames: string | Buffer | (string | Buffer)[], ends: boolean, cve?: string): RawKind => ({ name, frames: Array.isArray(frames) ? frames : [frames], ends, ...(cve ? { cve } : {}) });
const withAtt = (name: string, head: string, n: number, ends: boolean, cve?: string) => k(name, [head, ...Array.from({ length: n }, (_, i) => att(`${name} #${i}`))], ends, cve);

export function rawKinds(): RawKind[] {
  return [
    // engine.io: packet types out of range or empty (a parse error), a ping from the client (the wrong
    // heartbeat direction), and packets the server ignores in this state
    k('empty frame', '', true),
    k('engine type 7', '7', true),
    k('engine type 8', '8', true),
    k('engine type 9', '9', true),
    k('engine type x', 'x', true),
    k('engine type NUL', '\u0000', true),
    k('client ping', '2probe', true),
    k('client open', '0', false),
    k('client close', '1', false),
    k('pong probe', '3probe', false),
    k('upgrade', '5', false),
    k('noop', '6', false),
    // socket.io: packet types out of range, malformed or unknown namespaces
    k('socket.io type 7', '47', true),
    k('socket.io type 8', '48', true),
    k('socket.io type 9', '49', true),
    k('socket.io type -', '4-', true),
    k('second connect', `40${P}`, true),
    k('connect without comma', '40/widget', true),
    k('unknown namespace', '40/nope,', false),
    k('5000-char namespace', `40/${'a'.repeat(5000)},`, false),
    k('leave namespace', `41${P}`, true),
    k('client connect_error', `44${P}{"x":1}`, true),
    // malformed events
    k('event without data', `42${P}`, false),
    k('event [', `42${P}[`, true),
    k('event {}', `42${P}{}`, true),
    k('event string', `42${P}"str"`, true),
    k('event []', `42${P}[]`, true),
    k('event numeric name', `42${P}[1]`, false),
    k('event unterminated', `42${P}["message:send"`, true),
    k('event id 1e400', `42${P}1e400["x"]`, true),
    k('event id 1e20', `42${P}99999999999999999999["conversation:start",{}]`, false),
    k('event id -1', `42${P}-1["conversation:start",{}]`, true),
    k('event __proto__', `42${P}["__proto__",{}]`, false),
    k('event constructor.prototype', `42${P}["constructor",{"prototype":{"polluted":1}}]`, false),
    k('start with __proto__', `42${P}["conversation:start",{"__proto__":{"polluted":"yes"}}]`, false),
    k('5000-deep array', `42${P}["message:send",${'['.repeat(5000)}${']'.repeat(5000)}]`, false),
    k('3000-deep object', `42${P}["message:send",${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}]`, false),
    k('lone surrogates', `42${P}["message:send","${'\\ud800'.repeat(1000)}"]`, false),
    // event names that are not names (the shape of CVE-2023-32695), and 'error' with no listener for
    // it (CVE-2024-38355 killed the process that way)
    k('event name null', `42${P}[null]`, true, 'CVE-2023-32695'),
    k('event name object', `42${P}[{"toString":"boom"}]`, true, 'CVE-2023-32695'),
    k('event name array', `42${P}[["message:send"],{}]`, true, 'CVE-2023-32695'),
    k('reserved event name', `42${P}["disconnect"]`, true, 'CVE-2023-32695'),
    k('error event', `42${P}["error",{"message":"x"}]`, false, 'CVE-2024-38355'),
    // binary events with bad attachment counts (the resource-exhaustion shape of CVE-2020-36049)
    k('binary no count', `45${P}[]`, true, 'CVE-2020-36049'),
    k('binary zero count', `45-${P}["x"]`, true, 'CVE-2020-36049'),
    k('binary 999999999 attachments', `4999999999-${P}["x"]`, true, 'CVE-2020-36049'),
    k('binary 30-digit count', `45${'9'.repeat(30)}-${P}["x"]`, true, 'CVE-2020-36049'),
    k('binary 11 attachments', `4511-${P}["x"]`, true, 'CVE-2020-36049'),
    withAtt('binary valid', `451-${P}["x",{"_placeholder":true,"num":0}]`, 1, false),
    k('binary head then text', [`451-${P}["y",{"_placeholder":true,"num":0}]`, `42${P}["z"]`], true),
    // hostile placeholders, each followed by its attachment so the packet is rebuilt (CVE-2022-2421)
    withAtt('placeholder __proto__', `451-${P}["x",{"_placeholder":true,"num":"__proto__"}]`, 1, true, 'CVE-2022-2421'),
    withAtt('placeholder toString', `451-${P}["x",{"_placeholder":true,"num":"toString"}]`, 1, true, 'CVE-2022-2421'),
    withAtt('placeholder -1', `451-${P}["x",{"_placeholder":true,"num":-1}]`, 1, true, 'CVE-2022-2421'),
    withAtt('placeholder 99999', `451-${P}["x",{"_placeholder":true,"num":99999}]`, 1, true, 'CVE-2022-2421'),
    withAtt('placeholder without num', `451-${P}["x",{"_placeholder":true}]`, 1, true, 'CVE-2022-2421'),
    withAtt('placeholders 1e9 and constructor', `452-${P}["message:send",{"_placeholder":true,"num":1e9},{"_placeholder":true,"num":"constructor"}]`, 2, true, 'CVE-2022-2421'),
    withAtt('binary ack placeholder __proto__', `461-${P}0[{"_placeholder":true,"num":"__proto__"}]`, 1, true, 'CVE-2022-2421'),
    // acks for ids that were never sent
    k('ack unknown id', `43${P}5[]`, false),
    k('ack id x', `43${P}x[]`, true),
    k('ack id -5', `43${P}-5["x"]`, true),
    // invalid UTF-8 as binary frames, and binary frames with no binary packet announced
    k('binary c3 28', Buffer.from([0xc3, 0x28]), true),
    k('binary ff ff ff', Buffer.from([0xff, 0xff, 0xff]), true),
    k('binary "42" + surrogate bytes', Buffer.from([0x34, 0x32, 0xed, 0xa0, 0x80]), true),
    // a frame over the 64 KiB limit (the large-packet shape of CVE-2020-36048)
    { ...k('70 KiB frame', Buffer.alloc(70 * 1024, 0x41), true, 'CVE-2020-36048'), oversize: true },
  ];
}

/** Closes a session whose last frame left the namespace but kept the connection: an unknown packet type. */
export const CLOSER = '48 closer';

export interface RawSessionResult {
  /** engine.io session id, from the server's open packet (null: no session was opened). */
  sid: string | null;
  /** Frames written, and the kind that ended the session. */
  written: number;
  ending: RawKind;
  /** The WebSocket close code the server sent. */
  closeCode: number | null;
}

/**
 * One session: open, join /widget, send `body` (kinds the server survives), then `ending`, then the
 * closer; resolves when the server has closed the connection (it processed everything by then).
 */
export async function rawSession(url: string, body: RawKind[], ending: RawKind, check: (s: string) => void): Promise<RawSessionResult> {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`, { headers: { origin: url } });
  let sid: string | null = null;
  let joined: () => void = () => {};
  const joinedP = new Promise<void>((r) => (joined = r));
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  ws.on('message', (d, isBinary) => {
    const s = d.toString();
    check(s);
    if (isBinary) return;
    if (s.startsWith('0{')) {
      sid = (JSON.parse(s.slice(1)) as { sid: string }).sid;
      ws.send(`40${P}${JSON.stringify({ hostOrigin: url })}`);
    } else if (s.startsWith(`40${P}`)) joined();
  });
  ws.on('error', () => {});
  const first = await Promise.race([joinedP.then(() => 'joined' as const), closed.then(() => 'closed' as const), sleep(10_000).then(() => 'timeout' as const)]);
  if (first !== 'joined') {
    ws.terminate();
    throw new Error(`raw session could not join /widget: ${first}`);
  }
  let written = 0;
  const send = (f: string | Buffer) => {
    ws.send(f, { binary: Buffer.isBuffer(f) });
    written++;
  };
  for (const kind of body) {
    for (const f of kind.frames) send(f);
    // Keep the socket's buffer bounded.
    if (ws.bufferedAmount > 1 << 20) await sleep(2);
  }
  for (const f of ending.frames) send(f);
  send(CLOSER);
  // The server closes on the ending frame (or on the closer); if it does not, the session shows it.
  const code = await Promise.race([closed, sleep(10_000).then(() => null)]);
  if (code === null) ws.terminate();
  return { sid, written, ending, closeCode: code };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
