// Prometheus metrics at /metrics, per instance (Prometheus scrapes each one). Queue figures are read
// from Postgres on scrape (indexed, open conversations only); sockets are this instance's; HTTP errors
// are counted as they happen. METRICS_TOKEN, when set, is required as a bearer token; without it only
// the machine itself may read them (see `servedWithoutToken`).
import { timingSafeEqual } from 'node:crypto';
import { isIPv4 } from 'node:net';
import fp from 'fastify-plugin';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { sql } from 'drizzle-orm';
import { PRIORITIES } from '@helpline/shared';
import { execRows } from '../db/client.js';
import { queueGauges } from '../conversations/stats.js';
import { agentStatusCounts } from '../routing/stats.js';
import { offerWaitQuantiles } from '../routing/board-queries.js';

export interface Metrics {
  registry: Registry;
  /** Messages stored (visitor and staff); conversations.send may increment it. */
  messages: Counter<'sender'>;
  httpErrors: Counter<'status'>;
  /** Socket events from receipt to acknowledgement (a chat message: until it is committed). */
  socketAck: Histogram<'namespace' | 'event'>;
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7) : '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

const isLoopback = (address: string | undefined): boolean => {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || (isIPv4(v4) && v4.startsWith('127.'));
};

/**
 * Without a token, a request from the machine itself: the connection's own address (never the one
 * X-Forwarded-For claims, which anyone can write) must be loopback, and the request must not have been
 * forwarded, since a proxy on this machine connects from loopback for every client it serves. (A proxy
 * that adds no forwarding header cannot be told apart: docs/security.md says to set METRICS_TOKEN.)
 */
function servedWithoutToken(req: FastifyRequest): boolean {
  const h = req.headers;
  return isLoopback(req.socket.remoteAddress) && !h['x-forwarded-for'] && !h.forwarded && !h['x-real-ip'];
}

export function createMetrics(app: FastifyInstance): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'helpline_process_' });
  const messages = new Counter({ name: 'helpline_messages_total', help: 'Chat messages sent through this instance', labelNames: ['sender'], registers: [registry] });
  const httpErrors = new Counter({ name: 'helpline_http_errors_total', help: 'HTTP responses with status >= 400', labelNames: ['status'], registers: [registry] });

  new Gauge({
    name: 'helpline_queue_waiting',
    help: 'Conversations waiting for a counsellor (including those being offered), by priority',
    labelNames: ['priority'],
    registers: [registry],
    async collect() {
      const { waitingByPriority } = await queueGauges(app.db);
      for (const p of PRIORITIES) this.set({ priority: p }, waitingByPriority.get(p) ?? 0);
    },
  });
  new Gauge({
    name: 'helpline_queue_longest_wait_seconds',
    help: 'Longest current wait in the queue',
    registers: [registry],
    async collect() {
      this.set((await queueGauges(app.db)).longestWaitSeconds);
    },
  });
  new Gauge({
    name: 'helpline_conversations_active',
    help: 'Conversations with a counsellor now',
    registers: [registry],
    async collect() {
      this.set((await queueGauges(app.db)).active);
    },
  });
  new Gauge({
    name: 'helpline_counsellors',
    help: 'Counsellors by routing status',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await agentStatusCounts(app.db);
      for (const s of ['available', 'away', 'offline']) this.set({ status: s }, counts.get(s) ?? 0);
    },
  });
  new Gauge({
    name: 'helpline_sockets_connected',
    help: 'Socket.IO connections on this instance, by namespace',
    labelNames: ['namespace'],
    registers: [registry],
    collect() {
      this.set({ namespace: 'widget' }, app.realtime.widget.sockets.size);
      this.set({ namespace: 'agent' }, app.realtime.agent.sockets.size);
    },
  });
  new Gauge({
    name: 'helpline_messages_stored',
    help: 'Messages inserted into Postgres since its statistics were reset (all instances; use rate())',
    registers: [registry],
    async collect() {
      const [r] = await execRows<{ n: number }>(app.db, sql`select coalesce(n_tup_ins, 0)::float8 as n from pg_stat_user_tables where relname = 'messages'`).catch(() => [{ n: 0 }]);
      this.set(r?.n ?? 0);
    },
  });
  const socketAck = new Histogram({
    name: 'helpline_socket_ack_seconds',
    help: 'Socket events from receipt to acknowledgement, by namespace and event (message:send = message latency: received to committed and acknowledged)',
    labelNames: ['namespace', 'event'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  new Gauge({
    name: 'helpline_queue_depth',
    help: 'Conversations waiting for a counsellor (including those being offered), by language, topic and channel (the routing skills)',
    labelNames: ['language', 'topic', 'channel'],
    registers: [registry],
    async collect() {
      const rows = await app.conversations.queue.depthBySkill();
      // Series that emptied read 0 rather than disappearing.
      this.reset();
      for (const r of rows) this.set({ language: r.language ?? 'any', topic: r.topic ?? 'any', channel: r.channel }, r.n);
    },
  });
  new Gauge({
    name: 'helpline_offer_wait_seconds',
    help: 'Waiting time of the conversations offered in the last 5 minutes, from enqueue to their latest offer: p50 and p95 (quantile label)',
    labelNames: ['quantile'],
    registers: [registry],
    async collect() {
      const r = await offerWaitQuantiles(app.db);
      this.set({ quantile: '0.5' }, r?.p50 ?? 0);
      this.set({ quantile: '0.95' }, r?.p95 ?? 0);
    },
  });
  new Gauge({
    name: 'helpline_redis_up',
    help: 'Redis answers PING from this instance (1) or not (0)',
    registers: [registry],
    async collect() {
      const ok = await Promise.race([app.redisClient.ping().then(() => 1), new Promise<number>((r) => setTimeout(() => r(0), 1000).unref())]).catch(() => 0);
      this.set(ok);
    },
  });
  new Gauge({
    name: 'helpline_redis_used_memory_bytes',
    help: 'Memory Redis uses (INFO memory); with noeviction, writes fail once maxmemory is reached',
    registers: [registry],
    async collect() {
      const info = await app.redisClient.info('memory').catch(() => '');
      const m = /^used_memory:(\d+)/m.exec(info);
      if (m) this.set(Number(m[1]));
    },
  });
  new Gauge({
    name: 'helpline_db_connections',
    help: 'Connections to Postgres of this database by state (pg_stat_activity; all instances)',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      if (app.database.kind !== 'postgres') return;
      const rows = await execRows<{ state: string | null; n: number }>(app.db, sql`select state, count(*)::int as n from pg_stat_activity where datname = current_database() group by state`).catch(() => []);
      this.reset();
      for (const r of rows) this.set({ state: r.state ?? 'unknown' }, r.n);
    },
  });
  return { registry, messages, httpErrors, socketAck };
}

/** Registers the /metrics route and the global HTTP error counter. */
export const metricsPlugin = fp(
  async (app: FastifyInstance) => {
    const m = app.metrics;
    app.addHook('onResponse', async (_req, reply) => {
      if (reply.statusCode >= 400) m.httpErrors.inc({ status: String(reply.statusCode) });
    });
    app.get('/metrics', async (req, reply) => {
      const token = app.config.METRICS_TOKEN;
      if (token && !tokenMatches(req.headers.authorization, token)) {
        return reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: 'unauthorized', message: 'Metrics token required' } });
      }
      if (!token && !servedWithoutToken(req)) {
        return reply.code(403).send({ error: { code: 'forbidden', message: 'Metrics are served to this machine only; set METRICS_TOKEN to read them from elsewhere' } });
      }
      return reply.type(m.registry.contentType).send(await m.registry.metrics());
    });
  },
  { name: 'metrics' },
);
