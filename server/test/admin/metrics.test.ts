// Prometheus metrics: queue sizes, sockets, HTTP errors; protected by METRICS_TOKEN when set.
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
