// Test harness: a real Postgres database and a Redis key prefix per test file, the real app listening on
// a free port, real socket.io-clients. Nothing is mocked.
import type { Clock } from '../src/infra/clock.js';
import { randomBytes, randomUUID } from 'node:crypto';
import net from 'node:net';
import postgres from 'postgres';
import { Redis } from 'ioredis';
import { io as ioc, type Socket as ClientSocket } from 'socket.io-client';
import type { FastifyInstance } from 'fastify';
import type {
  Ack,
  AgentClientToServerEvents,
  AgentServerToClientEvents,
  StaffRole,
  WidgetClientToServerEvents,
  WidgetServerToClientEvents,
} from '@helpline/shared';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';

export const PG_ADMIN_URL = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function uid(n = 6): string {
  return randomBytes(n).toString('hex');
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** A fresh database on the test Postgres; `drop()` removes it. */
export async function createTestDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `hl_t_${uid()}`;
  const admin = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(PG_ADMIN_URL);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    name,
    drop: async () => {
      const a = postgres(PG_ADMIN_URL, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`);
      await a.end();
    },
  };
}

export async function deleteRedisPrefix(prefix: string): Promise<void> {
  const r = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** Test settings: short timers so tests run in seconds without fake clocks, small pools, generous login limits, a shared secret. */
export const TEST_SETTINGS: Record<string, string> = {
  OFFER_TIMEOUT_MS: '2000',
  DISCONNECT_GRACE_MS: '1500',
  VISITOR_GRACE_MS: '1500',
  WRAPUP_MS: '0',
  WRAPUP_URGENT_MS: '0',
  DECLINE_COOLDOWN_MS: '60000',
  OVERFLOW_AFTER_MS: '0',
  SWEEP_INTERVAL_MS: '500',
  DELIVERY_ATTEMPTS: '3',
  DELIVERY_BACKOFF_MS: '100',
  DELIVERY_SWEEP_AFTER_MS: '1000',
  DATABASE_POOL_SIZE: '5',
  LOGINS_PER_IP_PER_MIN: '100000',
  SERVER_SECRET: 'test-secret-of-the-keyed-code-hashes-0123456789',
};

export interface TestServer {
  app: FastifyInstance;
  url: string;
  config: Config;
  close(): Promise<void>;
}

export interface InstanceOptions {
  databaseUrl: string;
  redisPrefix: string;
  env?: Record<string, string>;
  /** Runs on the built app before it listens: the last moment Fastify accepts hooks (a test's counters). */
  beforeListen?: (app: FastifyInstance) => void;
  /** The app's clock (routing, rate limits): an offsetClock() lets a test cross a window at once. */
  clock?: Clock;
}

/** One app instance on an existing database/prefix (several instances may share them). */
export async function startInstance(opts: InstanceOptions): Promise<TestServer> {
  const port = await freePort();
  const config = loadConfig({
    DATABASE_URL: opts.databaseUrl,
    REDIS_URL: TEST_REDIS_URL,
    REDIS_PREFIX: opts.redisPrefix,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...TEST_SETTINGS,
    ...opts.env,
  });
  const app = await buildApp(config, opts.clock ? { clock: opts.clock } : {});
  opts.beforeListen?.(app);
  await app.listen({ port, host: '127.0.0.1' });
  return { app, url: config.publicUrl, config, close: () => app.close() };
}

export interface TestEnv {
  server: TestServer;
  url: string;
  app: FastifyInstance;
  databaseUrl: string;
  redisPrefix: string;
  close(): Promise<void>;
}

/** A database, a Redis prefix and one running instance; `close()` removes all three. */
export async function startTestEnv(env: Record<string, string> = {}, opts: Pick<InstanceOptions, 'beforeListen' | 'clock'> = {}): Promise<TestEnv> {
  const db = await createTestDatabase();
  const redisPrefix = `t${uid()}`;
  const server = await startInstance({ databaseUrl: db.url, redisPrefix, env, ...opts });
  return {
    server,
    url: server.url,
    app: server.app,
    databaseUrl: db.url,
    redisPrefix,
    close: async () => {
      await server.close();
      await db.drop();
      await deleteRedisPrefix(redisPrefix);
    },
  };
}

export async function createStaff(
  app: FastifyInstance,
  role: StaffRole,
  opts: { languages?: string[]; topics?: string[]; capacity?: number; name?: string } = {},
) {
  const email = `${role}-${uid(4)}@test.local`;
  const password = `pw-${uid(8)}`;
  const profile = await app.auth.createUser({
    email,
    name: opts.name ?? `${role} ${uid(2)}`,
    role,
    password,
    languages: (opts.languages ?? ['bg', 'en', 'sr-Cyrl', 'sr-Latn']) as never,
    topics: (opts.topics ?? []) as never,
    ...(opts.capacity ? { capacity: opts.capacity } : {}),
  });
  return { profile, email, password };
}

export interface LoggedIn {
  cookie: string;
  csrfToken: string;
  profile: { id: string; role: StaffRole; name: string };
}

export async function login(url: string, email: string, password: string): Promise<LoggedIn> {
  const res = await fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0]!;
  const body = (await res.json()) as { csrfToken: string; profile: LoggedIn['profile'] };
  return { cookie, csrfToken: body.csrfToken, profile: body.profile };
}

/** fetch with a staff session (cookie + CSRF header). */
export async function api(url: string, who: LoggedIn | null, method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (who) {
    headers.cookie = who.cookie;
    headers['x-csrf-token'] = who.csrfToken;
  }
  const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: parsed };
}

export type WidgetClient = ClientSocket<WidgetServerToClientEvents, WidgetClientToServerEvents>;
export type AgentClient = ClientSocket<AgentServerToClientEvents, AgentClientToServerEvents>;

export function widgetClient(url: string, opts: { token?: string; origin?: string; hostOrigin?: string } = {}): WidgetClient {
  const origin = opts.origin ?? url;
  return ioc(`${url}/widget`, {
    transports: ['websocket'],
    extraHeaders: { origin },
    auth: { hostOrigin: opts.hostOrigin ?? origin, ...(opts.token ? { token: opts.token } : {}) },
    reconnection: false,
    forceNew: true,
  }) as WidgetClient;
}

export function agentClient(url: string, who: LoggedIn, opts: { origin?: string } = {}): AgentClient {
  return ioc(`${url}/agent`, {
    transports: ['websocket'],
    extraHeaders: { origin: opts.origin ?? url, cookie: who.cookie },
    reconnection: false,
    forceNew: true,
  }) as AgentClient;
}

export async function connected(s: ClientSocket): Promise<void> {
  if (s.connected) return;
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', (e) => reject(e));
  });
}

/** Emit with an acknowledgement; resolves with the Ack. */
export function call<T = any>(s: ClientSocket, event: string, payload: unknown = {}, timeoutMs = 10_000): Promise<Ack<T>> {
  return (s as any).timeout(timeoutMs).emitWithAck(event, payload);
}

/** Resolve on the next `event` whose payload satisfies `pred`. */
export function next<T = any>(s: ClientSocket, event: string, pred: (p: T) => boolean = () => true, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      s.off(event, h);
      reject(new Error(`timeout waiting for ${event}`));
    }, timeoutMs);
    const h = (p: T) => {
      if (pred(p)) {
        clearTimeout(t);
        s.off(event, h);
        resolve(p);
      }
    };
    s.on(event, h as any);
  });
}

/** Poll until `fn` returns a truthy value (for state that has no event). */
export async function eventually<T>(fn: () => Promise<T | null | undefined | false>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`eventually: timed out${last ? `: ${(last as Error).message}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export { randomUUID };
