// Pieces the fault tests (and the log test) share: staff created straight in a database that server
// processes use, a counsellor and a child in a chat she has joined, a private redis-server that can be
// killed and restarted on the same port, and a TCP proxy in front of Postgres that can cut and restore
// every connection (an outage as the server sees it, without touching the machine's shared Postgres).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { expect } from 'vitest';
import type { StaffRole } from '@helpline/shared';
import { openDatabase } from '../../src/db/client.js';
import { createAuthService } from '../../src/auth/service.js';
import { agentClient, call, connected, freePort, login, next, uid, widgetClient } from '../helpers.js';

export async function createStaffIn(databaseUrl: string, role: StaffRole, opts: { capacity?: number; name?: string } = {}) {
  const database = await openDatabase({ url: databaseUrl, poolSize: 1 });
  try {
    const auth = createAuthService(database.db, { sessionTtlMs: 3600_000, defaultCapacity: 2 });
    const email = `${role}-${uid(4)}@test.local`;
    const password = `pw-${uid(8)}`;
    const profile = await auth.createUser({ email, name: opts.name ?? `${role} ${uid(2)}`, role, password, languages: ['bg', 'en'], ...(opts.capacity ? { capacity: opts.capacity } : {}) });
    return { profile, email, password };
  } finally {
    await database.close();
  }
}

/**
 * The staff member logs in and becomes available; a child starts a chat in English and waits until
 * the counsellor has joined (the instance must run with AUTO_ACCEPT).
 */
export async function joinedChat(url: string, staff: { email: string; password: string }) {
  const who = await login(url, staff.email, staff.password);
  const agent = agentClient(url, who);
  await connected(agent);
  await call(agent, 'agent:hello');
  await call(agent, 'agent:status', { status: 'available' });
  const child = widgetClient(url);
  await connected(child);
  // With auto-accept the counsellor's greeting can arrive before the start's ack: listen first.
  const joined = next(child, 'message:new', (m: any) => m.system?.event === 'counsellor_joined');
  const started = await call(child, 'conversation:start', { language: 'en' });
  expect(started.ok).toBe(true);
  if (!started.ok) throw new Error('conversation:start failed');
  const conversationId = started.data.conversation.id as string;
  await joined;
  return { who, agent, child, conversationId, visitorToken: started.data.token as string };
}

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: everything in memory is gone. */
  kill(): Promise<void>;
  /** A new, empty redis-server on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function startRedisOn(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`redis-server exited ${code}: ${out}`));
    });
  });
  return child;
}

function killChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child = await startRedisOn(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => killChild(child, 'SIGKILL'),
    restart: async () => {
      child = await startRedisOn(port);
    },
    stop: () => killChild(child, 'SIGKILL'),
  };
}

export interface TcpProxy {
  port: number;
  /** Destroy every open connection and refuse new ones until restore(). */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let up = true;
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  return {
    port,
    cut() {
      up = false;
      for (const s of open) s.destroy();
      open.clear();
    },
    restore() {
      up = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
