// Observability after real traffic: /metrics shows the queue per routing skill and channel, the
// message latency (socket ack histogram), the offers' waiting time, Postgres connections and Redis;
// every log line of a request carries its request id (the load balancer's when trusted).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentClient, call, connected, createStaff, createTestDatabase, deleteRedisPrefix, eventually, login, next, randomUUID, startTestEnv, uid, widgetClient, type TestEnv } from '../helpers.js';
import { spawnInstance } from '../processes.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ AUTO_ACCEPT: 'true' });
});
afterAll(async () => {
  await env?.close();
});

const metrics = async () => (await fetch(`${env.url}/metrics`)).text();
const value = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics after real traffic', () => {
  it('counts the queue by language, topic and channel, then the offer wait and the message latency', async () => {
    const kids = [widgetClient(env.url), widgetClient(env.url), widgetClient(env.url)];
    await Promise.all(kids.map((k) => connected(k)));
    const starts = [
      await call(kids[0]!, 'conversation:start', { language: 'bg' }),
      await call(kids[1]!, 'conversation:start', { language: 'bg' }),
      await call(kids[2]!, 'conversation:start', { language: 'en' }),
    ];
    for (const s of starts) expect(s.ok).toBe(true);
    let text = await metrics();
    expect(value(text, 'helpline_queue_depth{language="bg",topic="any",channel="chat"}')).toBe(2);
    expect(value(text, 'helpline_queue_depth{language="en",topic="any",channel="chat"}')).toBe(1);
    expect(value(text, 'helpline_redis_up')).toBe(1);
    expect(value(text, 'helpline_redis_used_memory_bytes')).toBeGreaterThan(0);
    expect(value(text, 'helpline_db_connections{state="active"}')).toBeGreaterThan(0);

    // A counsellor takes the Bulgarian ones (capacity 2); the English one stays queued.
    const c = await createStaff(env.app, 'counsellor', { languages: ['bg'], capacity: 2 });
    const agent = agentClient(env.url, await login(env.url, c.email, c.password));
    await connected(agent);
    await call(agent, 'agent:hello');
    const assigned = next<{ id: string }>(agent, 'conversation:assigned');
    await call(agent, 'agent:status', { status: 'available' });
    await assigned;
    const id0 = (starts[0] as { data: { conversation: { id: string } } }).data.conversation.id;
    for (let i = 0; i < 5; i++) expect((await call(kids[0]!, 'message:send', { conversationId: id0, clientMsgId: randomUUID(), body: `m${i}` })).ok).toBe(true);

    text = await metrics();
    expect(value(text, 'helpline_queue_depth{language="en",topic="any",channel="chat"}')).toBe(1);
    expect(value(text, 'helpline_socket_ack_seconds_count{namespace="widget",event="message:send"}')).toBe(5);
    expect(value(text, 'helpline_socket_ack_seconds_bucket{le="+Inf",namespace="widget",event="message:send"}')).toBe(5);
    expect(value(text, 'helpline_socket_ack_seconds_count{namespace="agent",event="agent:status"}')).toBe(1);
    expect(value(text, 'helpline_offer_wait_seconds{quantile="0.95"}')).toBeGreaterThan(0);
    for (const k of kids) k.disconnect();
    agent.disconnect();
  });
});

describe('request ids in the logs', () => {
  it('puts the request id on every log line of a request: the proxy’s when trusted, else a UUID', async () => {
    const db = await createTestDatabase();
    const prefix = `t${uid()}`;
    const inst = await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env: { LOG_LEVEL: 'info', TRUST_PROXY: 'true' } });
    try {
      await fetch(`${inst.url}/api/does-not-exist`, { headers: { 'x-request-id': 'nginx-7f3a' } });
      await fetch(`${inst.url}/api/does-not-exist-either`);
      const lines = () =>
        inst.output
          .join('')
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { reqId?: string; msg: string; req?: { url: string } });
      // The log is written asynchronously: wait for both requests' last lines (the readiness probes log too).
      const completed = (id: string | undefined) => lines().some((l) => l.reqId === id && l.msg === 'request completed');
      const otherId = () => lines().find((l) => l.req?.url === '/api/does-not-exist-either')?.reqId;
      await eventually(async () => completed('nginx-7f3a') && completed(otherId()));
      const mine = lines().filter((l) => l.reqId === 'nginx-7f3a');
      expect(mine.map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
      const other = lines().find((l) => l.req?.url === '/api/does-not-exist-either')!;
      expect(other.reqId).toMatch(/^[0-9a-f-]{36}$/);
      expect(lines().filter((l) => l.reqId === other.reqId).map((l) => l.msg)).toEqual(['incoming request', 'request completed']);
    } finally {
      await inst.kill('SIGTERM');
      await db.drop();
      await deleteRedisPrefix(prefix);
    }
  }, 60_000);
});

describe('docs/grafana-dashboard.json', () => {
  it('charts only metrics that /metrics exposes', async () => {
    const { readFileSync } = await import('node:fs');
    const dash = JSON.parse(readFileSync(new URL('../../../docs/grafana-dashboard.json', import.meta.url), 'utf8')) as { panels: { targets: { expr: string }[] }[] };
    const used = new Set(dash.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b(helpline_[a-z_]+?)(?:_bucket|_count|_sum)?\{/g)].map((m) => m[1]!))));
    const text = await metrics();
    const exposed = new Set([...text.matchAll(/^# TYPE (helpline_[a-z_]+) /gm)].map((m) => m[1]!));
    expect([...used].filter((m) => !exposed.has(m))).toEqual([]);
    expect(used.size).toBeGreaterThan(8);
  });
});
