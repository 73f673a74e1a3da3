// `pnpm start` with no configuration: PGlite in DATA_DIR, a private redis-server, demo accounts printed,
// clean shutdown on SIGTERM, data kept for the next start; a clear message when redis-server is missing.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import net from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { agentClient, call, connected, freePort, login as loginAs, next, randomUUID, widgetClient } from '../helpers.js';

const SERVER = fileURLToPath(new URL('../..', import.meta.url));
const dataDir = mkdtempSync(path.join(tmpdir(), 'hl-embedded-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function start(port: number) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!out.includes('Helpline platform running')) {
    if (child.exitCode !== null) throw new Error(out);
    if (Date.now() > deadline) throw new Error(`not started: ${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, 200));
  return { child, output: () => out };
}

function stop(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

async function answers(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port), u.hostname, () => {
      s.end();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** A whole chat on the embedded default (PGlite): offer, accept, a message each way, committed. */
async function chatOnce(output: string, email: string, password: string): Promise<void> {
  const url = output.match(/(https?:\/\/[^\s/]+)\/console/)![1]!;
  const who = await loginAs(url, email, password);
  const agent = agentClient(url, who);
  const child = widgetClient(url);
  try {
    await connected(agent);
    expect((await call(agent, 'agent:hello')).ok).toBe(true);
    expect((await call(agent, 'agent:status', { status: 'available' })).ok).toBe(true);
    await connected(child);
    const offerP = next(agent, 'offer:new');
    const started = await call(child, 'conversation:start', { language: 'en' });
    if (!started.ok) throw new Error(JSON.stringify(started.error));
    const offer = await offerP;
    expect(offer.conversation.id).toBe(started.data.conversation.id);
    expect((await call(agent, 'offer:accept', { offerId: offer.offerId })).ok).toBe(true);
    const conversationId = offer.conversation.id;
    const atAgent = next(agent, 'message:new', (x: any) => x.sender === 'visitor');
    const sent = await call(child, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'hello' });
    if (!sent.ok) throw new Error(JSON.stringify(sent.error));
    expect((await atAgent).seq).toBe(sent.data.seq);
    const atChild = next(child, 'message:new', (x: any) => x.sender === 'counsellor');
    expect((await call(agent, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'hi, I am here' })).ok).toBe(true);
    expect((await atChild).body).toBe('hi, I am here');
  } finally {
    child.disconnect();
    agent.disconnect();
  }
}

describe('embedded default', () => {
  it('runs with no configuration, prints demo accounts, routes a chat, and shuts down cleanly', async () => {
    const port = await freePort();
    const { child, output } = await start(port);
    try {
    const text = output();
    expect(text).toContain('embedded PGlite');
    expect(text).toContain('private redis-server');
    expect(text).toContain(`/console`);
    expect(text).toContain(`/demo`);
    expect(text).toContain(`/widget.js`);
    const m = text.match(/counsellor\s+(\S+@\S+)\s+(\S+)/);
    expect(m).not.toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    const login = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: m![1], password: m![2] }) });
    expect(login.status).toBe(200);
    await chatOnce(text, m![1]!, m![2]!);
    const redisUrl = text.match(/Private Redis: (redis:\/\/\S+)/)![1]!;
    expect(await answers(redisUrl)).toBe(true);
    expect(await stop(child)).toBe(0);
    expect(await answers(redisUrl)).toBe(false);

    // Second start on the same folder: the data is still there, no new demo accounts.
    const again = await start(port);
    expect(again.output()).not.toContain('Demo accounts');
    const login2 = await fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: m![1], password: m![2] }) });
    expect(login2.status).toBe(200);
    expect(await stop(again.child)).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);

  it('stops with a clear message when there is no redis-server and no REDIS_URL', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: SERVER,
      env: { PATH: '/nonexistent', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('redis-server');
    expect(r.stderr).toContain('REDIS_URL');
  }, 60_000);
});

describe('embedded default after a crash', () => {
  it('stops the private Redis left behind by a killed platform before starting a new one', async () => {
    const port = await freePort();
    const first = await start(port);
    const url1 = first.output().match(/Private Redis: (redis:\/\/\S+)/)![1]!;
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect(await answers(url1)).toBe(true); // the orphan is still there
    const second = await start(port);
    try {
      expect(await answers(url1)).toBe(false);
      expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    } finally {
      expect(await stop(second.child)).toBe(0);
    }
  }, 120_000);
});
