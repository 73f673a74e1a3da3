// Pieces the fault tests (and the log test) share: staff created straight in a database that server
// processes use, a counsellor and a child in a chat she has joined, and (servers.ts) the private
// redis-server, Postgres cluster and TCP proxy the tests break.
import postgres from 'postgres';
import { expect } from 'vitest';
import type { ChatMessage, StaffRole } from '@helpline/shared';
import { openDatabase } from '../../src/db/client.js';
import { createAuthService } from '../../src/auth/service.js';
import { agentClient, call, connected, login, uid, widgetClient, type WidgetClient } from '../helpers.js';

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
  const started = await call(child, 'conversation:start', { language: 'en' });
  expect(started.ok).toBe(true);
  if (!started.ok) throw new Error('conversation:start failed');
  const conversationId = started.data.conversation.id as string;
  await counsellorJoined(child, conversationId);
  return { who, agent, child, conversationId, visitorToken: started.data.token as string };
}

/**
 * Resolves when the child learns that a counsellor joined its conversation (or took it over), as the
 * widget learns it: live, or by the resume the widget runs after the start's ack. The resume is needed:
 * a new child's socket joins its room only when its conversation is created, and with auto-accept the
 * greeting can be posted before that (it was: the instance-kill test's flaky 10 s timeout).
 */
export async function counsellorJoined(child: WidgetClient, conversationId: string, opts: { name?: string; timeoutMs?: number } = {}): Promise<ChatMessage> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const isJoin = (m: ChatMessage) =>
    m.conversationId === conversationId &&
    (m.system?.event === 'counsellor_joined' || m.system?.event === 'counsellor_changed') &&
    (!opts.name || m.system.params?.name === opts.name);
  let stop = () => {};
  const live = new Promise<ChatMessage>((resolve, reject) => {
    const t = setTimeout(() => {
      stop();
      reject(new Error('the counsellor did not join (no live event, nothing in the resumed history)'));
    }, timeoutMs);
    const h = (m: ChatMessage) => {
      if (!isJoin(m)) return;
      stop();
      resolve(m);
    };
    stop = () => {
      clearTimeout(t);
      child.off('message:new', h);
    };
    child.on('message:new', h);
  });
  const resumed = await call(child, 'conversation:resume', { afterSeq: 0 });
  const found = resumed.ok ? (resumed.data.messages as ChatMessage[]).find(isJoin) : undefined;
  if (found) {
    stop();
    return found;
  }
  return live;
}

export { privateRedis, privatePostgres, findPostgresBin, tcpProxy, type PrivateRedis, type PrivatePostgres, type TcpProxy } from './servers.js';

/** A counsellor logged in on `url`, said hello and is available. */
export async function counsellorOnline(url: string, staff: { email: string; password: string }) {
  const who = await login(url, staff.email, staff.password);
  const agent = agentClient(url, who);
  await connected(agent);
  expect(await call(agent, 'agent:hello')).toMatchObject({ ok: true });
  expect(await call(agent, 'agent:status', { status: 'available' })).toMatchObject({ ok: true });
  return { who, agent };
}

/** Rows straight from a database (never through the platform). */
export async function queryDb<T>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql.unsafe(text, params as never[])) as unknown as T[];
  } finally {
    await sql.end({ timeout: 1 });
  }
}
