/// <reference lib="dom" />
// The phone line end to end, on this machine's real servers: SIPp calls from the "trunk" into Kamailio
// (deploy/voice/kamailio.cfg), the call waits in the platform's queue, the counsellor accepts it in
// the console in Chromium (a fake microphone playing its beep) and her JsSIP softphone answers over
// Kamailio's WebSocket; rtpengine bridges the caller's RTP and the browser's DTLS-SRTP. The test
// checks that sound flows both ways (loudness of what the caller's RTP endpoint receives, the
// browser's own received audio energy), the call's states and times, the queue, and the records.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { INSAFE_CATEGORIES } from '@helpline/shared';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../browser.js';
import { api, createStaff, eventually, login, startTestEnv, type TestEnv } from '../helpers.js';
import { axeViolations } from '../console-browser.js';
import { callerMedia, placeCall, startVoiceServers, toneWav, voicePorts, type VoiceServers } from './servers.js';

/** The test's "recordings": each message a tone of its own, so the caller's ear can tell which it heard. */
const TONE = { welcomeBg: 500, welcomeSr: 700, position1: 900, position2: 1300, many: 1700, alternatives: 2100 } as const;
const ALL_TONES = Object.values(TONE);
function writePrompts(dir: string): void {
  for (const lang of ['bg', 'sr']) {
    mkdirSync(path.join(dir, lang), { recursive: true });
    const files: Record<string, number> = {
      'welcome.wav': lang === 'bg' ? TONE.welcomeBg : TONE.welcomeSr,
      'position-1.wav': TONE.position1,
      'position-2.wav': TONE.position2,
      'position-many.wav': TONE.many,
      'alternatives.wav': TONE.alternatives,
    };
    for (const [name, freq] of Object.entries(files)) writeFileSync(path.join(dir, lang, name), toneWav(freq, 600));
  }
}

const TOKEN = 'voice-token-for-the-test-0123456789';
const SECRET = 'voice-sip-secret-for-the-test-0123456789';

let env: TestEnv;
let voice: VoiceServers;
let browser: Browser;
let prompts: string;

beforeAll(async () => {
  const ports = await voicePorts();
  prompts = mkdtempSync(path.join(tmpdir(), 'hl-prompts-'));
  writePrompts(prompts);
  env = await startTestEnv({
    VOICE_CONTROL_URL: `http://127.0.0.1:${ports.wsPort}`,
    VOICE_TOKEN: TOKEN,
    VOICE_SIP_SECRET: SECRET,
    VOICE_WS_URL: `ws://127.0.0.1:${ports.wsPort}`,
    VOICE_NUMBERS: '124123=bg,116000=sr-Cyrl',
    VOICE_RTPENGINE: `udp:127.0.0.1:${ports.ngPort}`,
    VOICE_PROMPTS_DIR: prompts,
    VOICE_ANNOUNCE_EVERY_MS: '800',
    VOICE_ALTERNATIVES_AFTER_MS: '3500',
  });
  voice = await startVoiceServers({ ...ports, platformUrl: env.url, origin: env.url, token: TOKEN, secret: SECRET });
  browser = await launchBrowser(['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required']);
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await voice?.close();
  await env?.close();
  if (prompts) rmSync(prompts, { recursive: true, force: true });
});

/** The console with every RTCPeerConnection it makes kept, so the test can read what it received. */
async function consoleAs(email: string, password: string): Promise<Page> {
  const page = await browser.newPage();
  await page.addInitScript(() => {
    const Native = window.RTCPeerConnection;
    const pcs: RTCPeerConnection[] = [];
    (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs = pcs;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        pcs.push(this);
      }
    } as typeof RTCPeerConnection;
  });
  await page.goto(`${env.url}/console/#/chats`);
  await page.getByLabel(/E-mail/).fill(email);
  await page.getByLabel(/Password/).fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  return page;
}

/** What the browser's last peer connection received: packets and the audio energy it played. */
async function browserReceived(page: Page): Promise<{ packets: number; energy: number }> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const pc = pcs[pcs.length - 1];
    if (!pc) return { packets: 0, energy: 0 };
    let packets = 0;
    let energy = 0;
    (await pc.getStats()).forEach((r: { type: string; kind?: string; packetsReceived?: number; totalAudioEnergy?: number }) => {
      if (r.type === 'inbound-rtp' && r.kind === 'audio') {
        packets += r.packetsReceived ?? 0;
        energy += r.totalAudioEnergy ?? 0;
      }
    });
    return { packets, energy };
  });
}

/** The phone line's figures in today's statistics, as a supervisor reads them. */
async function phoneStats(): Promise<{ count: number; answered: number; abandoned: number; contacts: number }> {
  const sup = await createStaff(env.app, 'supervisor');
  const stats = await api(env.url, await login(env.url, sup.email, sup.password), 'GET', `/api/stats?from=${new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)}`);
  expect(stats.status).toBe(200);
  const phone = stats.body.channels.find((x: { channel: string }) => x.channel === 'phone') ?? { count: 0, answered: 0, abandoned: 0 };
  return { count: phone.count, answered: phone.answered, abandoned: phone.abandoned, contacts: stats.body.contacts.byChannel.phone ?? 0 };
}

/** The conversation of the call just placed: the newest phone conversation still open. */
async function conversationOfCall(): Promise<string> {
  const row = await eventually(async () => {
    const r = await env.app.database.query<{ id: string }>(
      `select id from conversations where channel = 'phone' and state in ('waiting', 'offered', 'active') order by created_at desc limit 1`,
      [],
    );
    return r[0];
  });
  return row.id;
}

describe('the phone line', () => {
  it('a waiting caller hears the welcome in the language of the number dialled, her place in the queue, and later the alternatives', async () => {
    // Nobody is available: both calls wait. The first dialled the Bulgarian number, the second the Serbian one.
    const first = await callerMedia();
    const second = await callerMedia();
    const a = placeCall({ scenario: 'caller-hangs-up.xml', sipPort: voice.sipPort, caller: '+359881000001', dialled: '124123', mediaPort: first.port, pauseMs: 6500 });
    await eventually(async () => first.tones(ALL_TONES).includes(TONE.position1), 15_000);
    const b = placeCall({ scenario: 'caller-hangs-up.xml', sipPort: voice.sipPort, caller: '+381641000002', dialled: '116000', mediaPort: second.port, pauseMs: 2500 });
    try {
      expect((await b.done).errors).toBe('');
      expect((await a.done).errors).toBe('');
      // The first: welcome (Bulgarian), first in the queue, and the alternatives once she had waited 3.5 s.
      const heardFirst = first.tones(ALL_TONES);
      expect(heardFirst.slice(0, 2)).toEqual([TONE.welcomeBg, TONE.position1]);
      expect(heardFirst).toContain(TONE.alternatives);
      expect(heardFirst.filter((t) => t === TONE.alternatives)).toHaveLength(1);
      expect(heardFirst).not.toContain(TONE.position2);
      // The second: welcome (Serbian), second in the queue.
      const heardSecond = second.tones(ALL_TONES);
      expect(heardSecond.slice(0, 2)).toEqual([TONE.welcomeSr, TONE.position2]);
      expect(heardSecond).not.toContain(TONE.position1);
    } finally {
      first.close();
      second.close();
      a.kill();
      b.kill();
    }
    // Both hung up while waiting: abandoned, and no message goes on once they are gone.
    await eventually(async () => {
      const r = await env.app.database.query<{ n: number }>(`select count(*)::int as n from conversations where channel = 'phone' and state = 'abandoned'`, []);
      return r[0]!.n === 2;
    });
  }, 60_000);

  it('a call waits in the queue, rings in the console when accepted, and sound flows both ways until the counsellor hangs up', async () => {
    const c = await createStaff(env.app, 'counsellor', { languages: ['bg', 'en'] });
    const page = await consoleAs(c.email, c.password);
    await page.getByRole('radio', { name: 'Available' }).click();
    await page.locator('[data-testid="softphone"][data-registered="true"]').waitFor({ timeout: 20_000 });

    const before = await phoneStats();
    const media = await callerMedia();
    const sipp = placeCall({ scenario: 'caller.xml', sipPort: voice.sipPort, caller: '+359888123456', dialled: '124123', mediaPort: media.port });
    try {
      // The call is a conversation of channel phone in the queue, in the language of the number dialled.
      const conversationId = await conversationOfCall();
      const [conv] = await env.app.database.query<{ language: string; state: string }>(`select language, state from conversations where id = $1`, [conversationId]);
      expect(conv!.language).toBe('bg');
      // Nothing of the caller's number is stored: the contact is a keyed hash.
      const stored = await env.app.database.query<{ n: number }>(
        `select count(*)::int as n from visitors v join conversations c on c.visitor_id = v.id where c.id = $1 and v.external_hash not like '%359888123456%' and v.channel = 'phone'`,
        [conversationId],
      );
      expect(stored[0]!.n).toBe(1);

      // Before anyone answers, the caller hears the waiting messages, not the counsellor's microphone.
      await eventually(async () => media.tones(ALL_TONES).includes(TONE.welcomeBg), 15_000);

      await page.getByRole('button', { name: 'Accept' }).click();
      const bar = page.getByTestId('call-bar');
      await bar.and(page.locator('[data-phase="talking"]')).waitFor({ timeout: 20_000 });

      // Sound both ways: the caller hears the browser's fake microphone, the browser plays the caller's tone.
      await eventually(async () => media.received().loud > 50, 15_000);
      const heard = await eventually(async () => {
        const r = await browserReceived(page);
        return r.packets > 50 && r.energy > 0.01 ? r : null;
      }, 15_000);
      expect(heard.packets).toBeGreaterThan(50);

      /** Loud packets the caller received over the next `n` packets (waits for them, no fixed sleep). */
      const loudOverNext = async (n: number) => {
        const at = media.received();
        await eventually(async () => media.received().packets >= at.packets + n, 15_000);
        return media.received().loud - at.loud;
      };
      // The fake microphone beeps once a second: in 100 packets (2 s) the caller hears it.
      expect(await loudOverNext(100)).toBeGreaterThan(10);

      const cookie = await login(env.url, c.email, c.password);
      const talking = await api(env.url, cookie, 'GET', `/api/conversations/${conversationId}/call`);
      expect(talking.status).toBe(200);
      expect(talking.body).toMatchObject({ state: 'talking', onHold: false });

      // Muted, the caller hears nothing (a few packets in flight aside); unmuted, the beep again.
      await page.getByRole('button', { name: 'Mute' }).click();
      await loudOverNext(10);
      expect(await loudOverNext(100)).toBeLessThanOrEqual(2);
      await page.getByRole('button', { name: 'Unmute' }).click();
      expect(await loudOverNext(100)).toBeGreaterThan(10);

      // Hold and resume: silence for the caller, and the time on hold is the call's.
      await page.getByRole('button', { name: 'Hold' }).click();
      await bar.and(page.locator('[data-phase="held"]')).waitFor();
      expect((await api(env.url, cookie, 'GET', `/api/conversations/${conversationId}/call`)).body.onHold).toBe(true);
      await loudOverNext(10);
      expect(await loudOverNext(100)).toBeLessThanOrEqual(2);
      await page.getByRole('button', { name: 'Resume' }).click();
      await bar.and(page.locator('[data-phase="talking"]')).waitFor();
      expect(await loudOverNext(100)).toBeGreaterThan(10);

      expect(await axeViolations(page)).toEqual([]);


      // She hangs up: the caller gets the BYE (SIPp's scenario ends well), the conversation goes to wrap-up.
      await page.getByRole('button', { name: 'Hang up' }).click();
      const result = await sipp.done;
      expect(result.errors).toBe('');
      expect(result.code).toBe(0);
      const ended = await eventually(async () => {
        const [r] = await env.app.database.query<{ state: string; ended_by: string }>(`select state, ended_by from conversations where id = $1`, [conversationId]);
        return r?.state === 'wrapup' ? r : null;
      });
      expect(ended.ended_by).toBe('counsellor');
      const call = (await api(env.url, cookie, 'GET', `/api/conversations/${conversationId}/call`)).body;
      expect(call.state).toBe('ended');
      expect(call.talkedSeconds).toBeGreaterThan(0);
      await bar.and(page.locator('[data-phase="ended"]')).waitFor();

      // The case record of a phone call, saved from the console, has channel phone.
      const closed = await api(env.url, cookie, 'POST', `/api/conversations/${conversationId}/close`, { contactType: 'child', categories: [INSAFE_CATEGORIES[0]], summary: 'Called about a group chat.' });
      expect(closed.status, JSON.stringify(closed.body)).toBe(200);
      const [record] = await env.app.database.query<{ channel: string }>(`select channel from case_records where conversation_id = $1`, [conversationId]);
      expect(record!.channel).toBe('phone');

      // The statistics count the call with the other channels: one more offered and answered, none more abandoned.
      const after = await phoneStats();
      expect(after).toMatchObject({ count: before.count + 1, answered: before.answered + 1, abandoned: before.abandoned });
      expect(after.contacts).toBe(1);
    } finally {
      media.close();
      sipp.kill();
    }
  }, 120_000);

  it('a caller who hangs up while waiting is an abandoned call, counted as such', async () => {
    const before = await phoneStats();
    const media = await callerMedia();
    const sipp = placeCall({ scenario: 'caller-hangs-up.xml', sipPort: voice.sipPort, caller: '+381641234567', dialled: '116000', mediaPort: media.port, pauseMs: 1500 });
    try {
      const result = await sipp.done;
      expect(result.errors).toBe('');
      expect(result.code).toBe(0);
      const conv = await eventually(async () => {
        const [r] = await env.app.database.query<{ id: string; state: string; language: string }>(
          `select id, state, language from conversations where channel = 'phone' and language = 'sr-Cyrl' order by created_at desc limit 1`,
          [],
        );
        return r?.state === 'abandoned' ? r : null;
      });
      const sup = await createStaff(env.app, 'supervisor');
      const cookie = await login(env.url, sup.email, sup.password);
      const call = (await api(env.url, cookie, 'GET', `/api/conversations/${conv.id}/call`)).body;
      expect(call).toMatchObject({ state: 'ended', talkedSeconds: 0 });
      expect(call.waitedSeconds).toBeGreaterThanOrEqual(1);
      expect(await phoneStats()).toMatchObject({ count: before.count + 1, answered: before.answered, abandoned: before.abandoned + 1 });
      // She heard only the waiting messages: nobody answered.
      expect(media.tones(ALL_TONES)[0]).toBe(TONE.welcomeSr);
    } finally {
      media.close();
      sipp.kill();
    }
  }, 60_000);

  it('refuses what is not the proxy, the trunk or a softphone of this console', async () => {
    // The platform's proxy routes want the shared token.
    const forged = await fetch(`${env.url}/api/voice/calls`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-helpline-token': 'x'.repeat(TOKEN.length) }, body: JSON.stringify({ callId: 'c1', from: '1', to: '2' }) });
    expect(forged.status).toBe(401);
    expect((await forged.json()).error.code).toBe('unauthorized');
    const bad = await fetch(`${env.url}/api/voice/calls`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-helpline-token': TOKEN }, body: JSON.stringify({ callId: '' }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_payload');
    // The same INVITE twice (a retransmission through the proxy) is one call, one conversation.
    const once = async () =>
      (await fetch(`${env.url}/api/voice/calls`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-helpline-token': TOKEN }, body: JSON.stringify({ callId: 'same-call@test', from: '+359111', to: '124123' }) })).json();
    const [a, b] = [await once(), await once()];
    expect(a.conversationId).toBe(b.conversationId);
    // A second call from a number whose call is still waiting is refused (the proxy answers 480).
    const again = await fetch(`${env.url}/api/voice/calls`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-helpline-token': TOKEN }, body: JSON.stringify({ callId: 'other-call@test', from: '+359111', to: '124123' }) });
    expect(again.status).toBe(409);
    const ended = await fetch(`${env.url}/api/voice/calls/ended`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-helpline-token': TOKEN }, body: JSON.stringify({ callId: 'same-call@test' }) });
    expect(ended.status).toBe(200);

    // Kamailio: a WebSocket from a foreign page, and the control endpoint without the token.
    const handshake = await rawHttp(voice.wsPort, ['GET / HTTP/1.1', `Host: 127.0.0.1:${voice.wsPort}`, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Protocol: sip', 'Origin: https://evil.example', '', ''].join('\r\n'));
    expect(handshake).toMatch(/^HTTP\/1\.1 403/);
    expect((await fetch(`${voice.controlUrl}/voice/connect`, { method: 'POST', headers: { 'x-helpline-token': 'wrong', 'x-call-id': 'same-call@test' } })).status).toBe(401);

    // A softphone's credentials are the platform's own: the ones it gives register, forged ones do not.
    const c = await createStaff(env.app, 'counsellor');
    const given = (await api(env.url, await login(env.url, c.email, c.password), 'GET', '/api/voice/softphone')).body;
    expect(given).toMatchObject({ enabled: true, uri: `sip:staff-${c.profile.id}@helpline.invalid` });
    expect(await sipRegister(given.uri, given.authorizationUser, given.password)).toBe(200);
    expect(await sipRegister(given.uri, given.authorizationUser, 'Zm9yZ2VkIHBhc3N3b3JkIQ==')).toBe(401);
    // Nor can one counsellor's credentials register another's softphone (and take her calls).
    const other = await createStaff(env.app, 'counsellor');
    expect(await sipRegister(`sip:staff-${other.profile.id}@helpline.invalid`, given.authorizationUser, given.password)).toBe(403);
  });
});

/** A raw HTTP request to a port, and the first line of its answer. */
function rawHttp(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1', () => sock.write(request));
    let data = '';
    sock.on('data', (d) => {
      data += d.toString();
      if (data.includes('\r\n')) {
        sock.destroy();
        resolve(data);
      }
    });
    sock.on('error', reject);
  });
}

/** REGISTER over the proxy's WebSocket as a softphone would, with digest authentication: the final status. */
async function sipRegister(uri: string, authUser: string, password: string): Promise<number> {
  const ws = new WebSocket(voice.wsUrl, 'sip', { origin: env.url });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const user = uri.slice(4, uri.indexOf('@'));
  const domain = uri.slice(uri.indexOf('@') + 1);
  const callId = randomUUID();
  const register = (cseq: number, auth?: string) =>
    [
      `REGISTER sip:${domain} SIP/2.0`,
      `Via: SIP/2.0/WS ${randomUUID().slice(0, 8)}.invalid;branch=z9hG4bK${randomUUID().slice(0, 12)}`,
      'Max-Forwards: 70',
      `To: <${uri}>`,
      `From: <${uri}>;tag=${randomUUID().slice(0, 8)}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} REGISTER`,
      `Contact: <sip:${user}@${randomUUID().slice(0, 8)}.invalid;transport=ws>;expires=60`,
      ...(auth ? [`Authorization: ${auth}`] : []),
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
  const reply = () =>
    new Promise<string>((resolve) => {
      ws.once('message', (m) => resolve(m.toString()));
    });
  try {
    ws.send(register(1));
    const challenge = await reply();
    const code = Number(challenge.split(' ')[1]);
    if (code !== 401) return code;
    const h = /WWW-Authenticate: Digest (.*)/i.exec(challenge)![1]!;
    const param = (k: string) => new RegExp(`${k}="?([^",]+)"?`).exec(h)?.[1];
    const realm = param('realm')!;
    const nonce = param('nonce')!;
    const qop = param('qop');
    const md5 = (x: string) => createHash('md5').update(x).digest('hex');
    const ha1 = md5(`${authUser}:${realm}:${password}`);
    const ha2 = md5(`REGISTER:sip:${domain}`);
    const cnonce = randomUUID().slice(0, 8);
    const response = qop ? md5(`${ha1}:${nonce}:00000001:${cnonce}:auth:${ha2}`) : md5(`${ha1}:${nonce}:${ha2}`);
    const auth = `Digest username="${authUser}", realm="${realm}", nonce="${nonce}", uri="sip:${domain}", response="${response}", algorithm=MD5${qop ? `, qop=auth, nc=00000001, cnonce="${cnonce}"` : ''}`;
    ws.send(register(2, auth));
    return Number((await reply()).split(' ')[1]);
  } finally {
    ws.close();
  }
}

