// Prometheus metrics: queue sizes, sockets, HTTP errors; protected by METRICS_TOKEN when set, and served
// only to the machine itself (loopback, not forwarded) when it is not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, connected, startTestEnv, widgetClient, type TestEnv } from '../helpers.js';

const TOKEN = 'metrics-token-0123456789';
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ METRICS_TOKEN: TOKEN });
});
afterAll(async () => {
  await env?.close();
});

describe('/metrics', () => {
  it('needs the bearer token', async () => {
    expect((await fetch(`${env.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${env.url}/metrics`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  });

  it('reports queue, sockets and HTTP errors', async () => {
    const child = widgetClient(env.url);
    await connected(child);
    const s = await call(child, 'conversation:start', { language: 'bg' });
    expect(s.ok).toBe(true);
    await fetch(`${env.url}/api/does-not-exist`);
    const res = await fetch(`${env.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(/helpline_queue_waiting\{priority="normal"\} 1/);
    expect(text).toMatch(/helpline_queue_longest_wait_seconds \d+/);
    expect(text).toMatch(/helpline_sockets_connected\{namespace="widget"\} 1/);
    expect(text).toMatch(/helpline_http_errors_total\{status="404"\} [1-9]/);
    expect(text).toContain('helpline_messages_total');
    child.disconnect();
  });
});

describe('/metrics without METRICS_TOKEN', () => {
  let open: TestEnv;
  beforeAll(async () => {
    open = await startTestEnv({ TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await open?.close();
  });

  it('is served to loopback only', async () => {
    expect((await fetch(`${open.url}/metrics`)).status).toBe(200);
    for (const remoteAddress of ['::1', '::ffff:127.0.0.1', '127.0.0.2']) {
      expect((await open.app.inject({ method: 'GET', url: '/metrics', remoteAddress })).statusCode, remoteAddress).toBe(200);
    }
    for (const remoteAddress of ['203.0.113.5', '10.0.0.1', '::ffff:192.0.2.1', '2001:db8::1']) {
      const res = await open.app.inject({ method: 'GET', url: '/metrics', remoteAddress });
      expect(res.statusCode, remoteAddress).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
    }
  });

  it('refuses a request forwarded by a proxy, whatever address it claims', async () => {
    const forwarded: Record<string, string>[] = [{ 'x-forwarded-for': '127.0.0.1' }, { forwarded: 'for=127.0.0.1' }, { 'x-real-ip': '127.0.0.1' }, { 'x-forwarded-for': '::1' }];
    for (const headers of forwarded) {
      const res = await fetch(`${open.url}/metrics`, { headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.text()).not.toContain('helpline_');
    }
  });
});
