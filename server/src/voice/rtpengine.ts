// rtpengine's control protocol ("ng": a cookie, a space and a bencoded dictionary, over UDP), the part
// the platform uses: the queue's answer for a waiting caller's early media, and the waiting messages
// (play media / stop media). Kamailio makes the offer and everything after the counsellor answers.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';

export type Bencoded = string | number | Buffer | Bencoded[] | { [key: string]: Bencoded };

export function bencode(v: Bencoded): Buffer {
  if (typeof v === 'number') return Buffer.from(`i${Math.trunc(v)}e`);
  if (typeof v === 'string' || Buffer.isBuffer(v)) {
    const b = Buffer.isBuffer(v) ? v : Buffer.from(v);
    return Buffer.concat([Buffer.from(`${b.length}:`), b]);
  }
  if (Array.isArray(v)) return Buffer.concat([Buffer.from('l'), ...v.map(bencode), Buffer.from('e')]);
  const keys = Object.keys(v).sort();
  return Buffer.concat([Buffer.from('d'), ...keys.flatMap((k) => [bencode(k), bencode(v[k]!)]), Buffer.from('e')]);
}

/** Decodes one value; strings come back as text (rtpengine's answers are text). */
export function bdecode(buf: Buffer): Bencoded {
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`bencode: ${why} at ${i}`);
  };
  const value = (): Bencoded => {
    const c = buf[i];
    if (c === undefined) return fail('unexpected end');
    if (c === 0x69 /* i */) {
      const end = buf.indexOf(0x65, i);
      if (end < 0) fail('unterminated integer');
      const n = Number(buf.subarray(i + 1, end).toString());
      i = end + 1;
      return n;
    }
    if (c === 0x6c /* l */) {
      i++;
      const out: Bencoded[] = [];
      while (buf[i] !== 0x65) out.push(value());
      i++;
      return out;
    }
    if (c === 0x64 /* d */) {
      i++;
      const out: Record<string, Bencoded> = {};
      while (buf[i] !== 0x65) {
        const k = value();
        if (typeof k !== 'string') fail('dictionary key is not a string');
        out[k as string] = value();
      }
      i++;
      return out;
    }
    const colon = buf.indexOf(0x3a, i);
    if (colon < 0) fail('string without length');
    const len = Number(buf.subarray(i, colon).toString());
    if (!Number.isInteger(len) || len < 0 || colon + 1 + len > buf.length) fail('bad string length');
    const s = buf.subarray(colon + 1, colon + 1 + len).toString();
    i = colon + 1 + len;
    return s;
  };
  return value();
}

export class RtpengineError extends Error {}

/** `udp:127.0.0.1:22222` → a client; each command is retried (the same cookie) until answered or timed out. */
export function createRtpengine(address: string, opts: { timeoutMs?: number } = {}) {
  const m = /^udp:(\[[^\]]+\]|[^:]+):(\d+)$/.exec(address);
  if (!m) throw new Error(`rtpengine address must be udp:<host>:<port>, not ${address}`);
  const host = m[1]!.replace(/^\[|\]$/g, '');
  const port = Number(m[2]);
  const timeoutMs = opts.timeoutMs ?? 2000;

  async function command(cmd: string, args: Record<string, Bencoded>): Promise<Record<string, Bencoded>> {
    const cookie = randomBytes(8).toString('hex');
    const packet = Buffer.concat([Buffer.from(`${cookie} `), bencode({ ...args, command: cmd })]);
    const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    try {
      return await new Promise<Record<string, Bencoded>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new RtpengineError(`rtpengine did not answer '${cmd}'`)), timeoutMs);
        const resend = setInterval(() => sock.send(packet, port, host), 500);
        sock.on('message', (msg) => {
          const space = msg.indexOf(0x20);
          if (msg.subarray(0, space).toString() !== cookie) return;
          clearTimeout(timer);
          clearInterval(resend);
          try {
            const reply = bdecode(msg.subarray(space + 1)) as Record<string, Bencoded>;
            if (reply.result === 'error') reject(new RtpengineError(`rtpengine refused '${cmd}': ${String(reply['error-reason'] ?? 'no reason')}`));
            else resolve(reply);
          } catch (err) {
            reject(err);
          }
        });
        sock.on('error', (err) => {
          clearTimeout(timer);
          clearInterval(resend);
          reject(err);
        });
        sock.send(packet, port, host);
      });
    } finally {
      sock.close();
    }
  }

  return {
    command,
    /**
     * The queue answers the caller's offer itself (sending only, to a discard address): the SDP the
     * caller gets with 183 Session Progress, so that she hears the waiting messages as early media.
     */
    async queueAnswer(callId: string, fromTag: string): Promise<string> {
      const sdp = ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=queue', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 9 RTP/AVP 0 8', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:8 PCMA/8000', 'a=sendonly', ''].join('\r\n');
      const reply = await command('answer', { 'call-id': queueMediaId(callId), 'from-tag': fromTag, 'to-tag': QUEUE_TAG, sdp, replace: ['origin', 'session-connection'] });
      if (typeof reply.sdp !== 'string') throw new RtpengineError('rtpengine gave no SDP');
      return reply.sdp;
    },
    /** Plays a recording to the caller; resolves with its length (ms), when rtpengine tells it. */
    async play(callId: string, fromTag: string, file: string): Promise<number | null> {
      const reply = await command('play media', { 'call-id': queueMediaId(callId), 'from-tag': fromTag, file });
      return typeof reply.duration === 'number' && reply.duration > 0 ? reply.duration : null;
    },
    async stop(callId: string, fromTag: string): Promise<void> {
      await command('stop media', { 'call-id': queueMediaId(callId), 'from-tag': fromTag }).catch(() => {});
    },
  };
}
export type Rtpengine = ReturnType<typeof createRtpengine>;

/** The To tag of the queue's own answer (the counsellor's softphone answers later with its own). */
export const QUEUE_TAG = 'hl-queue';

/**
 * The queue's media is an rtpengine call of its own, named after the SIP call (deploy/voice/kamailio.cfg
 * offers it so): the call with the counsellor is another, so nothing of the queue's answer is left in it.
 */
export const queueMediaId = (callId: string) => `q-${callId}`;
