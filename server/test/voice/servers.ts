// The phone line's real servers for the tests: Debian's rtpengine (userspace forwarding, no kernel
// module) and Kamailio with deploy/voice/kamailio.cfg, each private: a temporary folder, loopback
// ports, stopped by close(). And the caller: SIPp (Debian's sip-tester) places the call from the
// "trunk", and an RTP endpoint of the test's own sends a tone as G.711 µ-law and measures what comes
// back (SIPp sends audio but cannot tell what it received).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { copyFileSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../helpers.js';

export const KAMAILIO = '/usr/sbin/kamailio';
export const RTPENGINE = '/usr/bin/rtpengine';
export const SIPP = '/usr/bin/sipp';
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const HERE = fileURLToPath(new URL('./', import.meta.url));

export interface VoiceServers {
  sipPort: number;
  wsPort: number;
  /** The proxy's control address, as the platform's VOICE_CONTROL_URL. */
  controlUrl: string;
  wsUrl: string;
  dir: string;
  log(name: 'kamailio' | 'rtpengine'): string;
  close(): Promise<void>;
}

export interface VoicePorts {
  sipPort: number;
  wsPort: number;
  ngPort: number;
}

/** Ports first: the platform is told the proxy's address before the proxy is told the platform's. */
export async function voicePorts(): Promise<VoicePorts> {
  return { sipPort: await freePort(), wsPort: await freePort(), ngPort: await freePort() };
}

async function waitFor(check: () => Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not start`);
}

/** An rtpengine "ping" over its ng protocol (bencode over UDP). */
function ngPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      s.close();
      resolve(false);
    }, 300);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m.toString().includes('pong'));
    });
    s.send('c1 d7:command4:pinge', port, '127.0.0.1');
  });
}

export async function startVoiceServers(opts: VoicePorts & { platformUrl: string; origin: string; token: string; secret: string; domain?: string }): Promise<VoiceServers> {
  const dir = mkdtempSync(path.join(tmpdir(), 'hl-voice-'));
  const procs: ChildProcess[] = [];
  const start = (cmd: string, args: string[], name: string) => {
    const fd = openSync(path.join(dir, `${name}.log`), 'w');
    const p = spawn(cmd, args, { cwd: dir, stdio: ['ignore', fd, fd] });
    procs.push(p);
    return p;
  };
  const rtpBase = 30_000 + Math.floor(Math.random() * 300) * 100;
  start(RTPENGINE, ['-f', '-E', '--table=-1', '-i', '127.0.0.1', '-n', `127.0.0.1:${opts.ngPort}`, '-m', String(rtpBase), '-M', String(rtpBase + 99), '--log-level=6', `--pidfile=${dir}/rtpengine.pid`], 'rtpengine');
  await waitFor(() => ngPing(opts.ngPort), 'rtpengine');

  copyFileSync(path.join(REPO, 'deploy/voice/kamailio.cfg'), path.join(dir, 'kamailio.cfg'));
  const values: Record<string, string | number> = {
    HL_SIP_ADDR: '127.0.0.1',
    HL_SIP_PORT: opts.sipPort,
    HL_WS_PORT: opts.wsPort,
    HL_DOMAIN: opts.domain ?? 'helpline.invalid',
    HL_TRUNK_ADDR: '127.0.0.1',
    HL_PLATFORM_URL: opts.platformUrl,
    HL_TOKEN: opts.token,
    HL_SECRET: opts.secret,
    HL_RTPENGINE: `udp:127.0.0.1:${opts.ngPort}`,
    HL_ORIGIN: opts.origin,
  };
  writeFileSync(path.join(dir, 'helpline-local.cfg'), Object.entries(values).map(([k, v]) => `#!substdef "!${k}!${v}!g"\n`).join(''));
  start(KAMAILIO, ['-DD', '-E', '-f', path.join(dir, 'kamailio.cfg'), '-P', path.join(dir, 'kamailio.pid'), '-Y', dir, '-w', dir], 'kamailio');
  const controlUrl = `http://127.0.0.1:${opts.wsPort}`;
  // The control endpoint answers 401 to a request without the token once Kamailio listens.
  await waitFor(async () => (await fetch(`${controlUrl}/voice/connect`, { method: 'POST' })).status === 401, 'kamailio');

  return {
    ...opts,
    controlUrl,
    wsUrl: `ws://127.0.0.1:${opts.wsPort}`,
    dir,
    log: (name) => readFileSync(path.join(dir, `${name}.log`), 'utf8'),
    async close() {
      await Promise.all(
        procs.map(
          (p) =>
            new Promise<void>((resolve) => {
              if (p.exitCode !== null || p.signalCode !== null) return resolve();
              const kill = setTimeout(() => p.kill('SIGKILL'), 3000);
              p.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              p.kill('SIGTERM');
            }),
        ),
      );
      // VOICE_TEST_KEEP=1 keeps the servers' folder (configuration and logs) for a look afterwards.
      if (!process.env.VOICE_TEST_KEEP) rmSync(dir, { recursive: true, force: true });
      else console.log(`voice servers' folder kept: ${dir}`);
    },
  };
}

/** Whether this machine has the voice servers (CI installs them: .ci/run). */
export function voiceServersInstalled(): boolean {
  return [KAMAILIO, RTPENGINE, SIPP].every((bin) => spawnSync(bin, ['-v']).error === undefined);
}

// G.711 µ-law (ITU-T G.711), for the caller's tone and to measure what it hears.
export function ulawDecode(u: number): number {
  u = ~u & 0xff;
  const sign = u & 0x80;
  const exp = (u >> 4) & 7;
  const man = u & 0x0f;
  const s = (((man << 3) + 0x84) << exp) - 0x84;
  return sign ? -s : s;
}
export function ulawEncode(sample: number): number {
  let s = sample;
  const sign = (s >> 8) & 0x80;
  if (sign) s = -s;
  s = Math.min(s, 32635) + 0x84;
  let exp = 7;
  for (let mask = 0x4000; (s & mask) === 0 && exp > 0; exp--, mask >>= 1);
  const man = (s >> (exp + 3)) & 0x0f;
  return ~(sign | (exp << 4) | man) & 0xff;
}

export interface CallerMedia {
  port: number;
  /** The tone each received packet carries (of those given, the strongest by far), in order, runs collapsed; quiet packets left out. */
  tones(freqs: number[]): number[];
  /** RTP packets received, and those with sound in them (RMS above a whisper). */
  received(): { packets: number; loud: number; meanRms: number };
  close(): void;
}

/**
 * The caller's media: answers to the address rtpengine sends from (symmetric RTP) with a 440 Hz tone,
 * 20 ms per packet, and measures the loudness of every packet it receives.
 */
export async function callerMedia(): Promise<CallerMedia> {
  const sock = dgram.createSocket('udp4');
  let packets = 0;
  let loud = 0;
  let rmsSum = 0;
  let peer: dgram.RemoteInfo | null = null;
  const heard: Int16Array[] = [];
  sock.on('message', (msg, rinfo) => {
    peer = rinfo;
    if (msg.length <= 12 || (msg[0]! & 0xc0) !== 0x80) return;
    packets++;
    const payload = msg.subarray(12);
    const samples = Int16Array.from(payload, ulawDecode);
    if (heard.length < 30_000) heard.push(samples);
    let e = 0;
    for (const v of samples) e += v ** 2;
    const rms = Math.sqrt(e / payload.length);
    rmsSum += rms;
    if (rms > 100) loud++;
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let seq = 0;
  let ts = 0;
  const timer = setInterval(() => {
    if (!peer) return;
    const pkt = Buffer.alloc(12 + 160);
    pkt[0] = 0x80;
    pkt[1] = 0; // PCMU
    pkt.writeUInt16BE(seq++ & 0xffff, 2);
    pkt.writeUInt32BE(ts >>> 0, 4);
    pkt.writeUInt32BE(0x48656c70, 8);
    for (let i = 0; i < 160; i++) pkt[12 + i] = ulawEncode(Math.round(8000 * Math.sin((2 * Math.PI * 440 * (ts + i)) / 8000)));
    ts += 160;
    sock.send(pkt, peer.port, peer.address);
  }, 20);
  return {
    port: sock.address().port,
    received: () => ({ packets, loud, meanRms: packets ? Math.round(rmsSum / packets) : 0 }),
    tones: (freqs) => {
      const out: number[] = [];
      for (const samples of heard) {
        const powers = freqs.map((f) => goertzel(samples, f, 8000));
        const best = Math.max(...powers);
        const rest = powers.filter((p) => p !== best);
        // Loud enough, and one tone clearly above the others (a beep between two is left out).
        if (best < 1e9 || rest.some((p) => p * 10 > best)) continue;
        const f = freqs[powers.indexOf(best)]!;
        if (out[out.length - 1] !== f) out.push(f);
      }
      return out;
    },
    close: () => {
      clearInterval(timer);
      sock.close();
    },
  };
}

/** The power of one frequency in a block of samples (the Goertzel algorithm). */
export function goertzel(samples: ArrayLike<number>, freq: number, rate: number): number {
  const k = 2 * Math.cos((2 * Math.PI * freq) / rate);
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < samples.length; i++) {
    const s0 = samples[i]! + k * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  return s1 * s1 + s2 * s2 - k * s1 * s2;
}

/** A recording for the prompts folder: a tone of `freq` Hz, `ms` long, 8 kHz 16-bit mono WAV. */
export function toneWav(freq: number, ms: number): Buffer {
  const n = Math.round((8000 * ms) / 1000);
  const data = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(9000 * Math.sin((2 * Math.PI * freq * i) / 8000)), i * 2);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVE', 8);
  h.write('fmt ', 12);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20); // PCM
  h.writeUInt16LE(1, 22); // mono
  h.writeUInt32LE(8000, 24);
  h.writeUInt32LE(16000, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

export interface SippRun {
  done: Promise<{ code: number | null; errors: string }>;
  kill(): void;
}

/** SIPp places one call with a scenario of server/test/voice/ (caller.xml, caller-hangs-up.xml). */
export function placeCall(opts: { scenario: string; sipPort: number; caller: string; dialled: string; mediaPort: number; timeoutS?: number; keys?: Record<string, string>; /** A scenario's <pause/>. */ pauseMs?: number }): SippRun {
  const dir = mkdtempSync(path.join(tmpdir(), 'hl-sipp-'));
  const p = spawn(
    SIPP,
    [
      '-sf', path.join(HERE, opts.scenario),
      '-m', '1',
      '-key', 'caller', opts.caller,
      '-key', 'media', String(opts.mediaPort),
      ...Object.entries(opts.keys ?? {}).flatMap(([k, v]) => ['-key', k, v]),
      ...(opts.pauseMs ? ['-d', String(opts.pauseMs)] : []),
      '-s', opts.dialled,
      '-i', '127.0.0.1',
      '-timeout', String(opts.timeoutS ?? 60),
      '-timeout_error',
      '-trace_err',
      '-nostdin',
      `127.0.0.1:${opts.sipPort}`,
    ],
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  p.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; errors: string }>((resolve) => {
    p.once('exit', (code) => {
      let errors = stderr.split('\n').filter((l) => l.trim() && !/^Resolving remote host/.test(l)).join('\n');
      try {
        const log = spawnSync('sh', ['-c', `cat ${dir}/*_errors.log 2>/dev/null`]).stdout.toString();
        errors += log;
      } catch {
        // no error log
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, errors });
    });
  });
  return { done, kill: () => p.kill('SIGKILL') };
}
