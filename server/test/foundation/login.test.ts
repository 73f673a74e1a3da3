// Logging in: rate limited per account and per IP, with a clear error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestEnv, type TestEnv } from '../helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.close();
});
const server = { get url() { return env.url; } };

describe('login', () => {
  it('is rate limited per account with a clear error', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'nobody@test.local', password: `guess-${i}` }) });
      codes.push(r.status);
      if (r.status === 429) expect((await r.json()).error).toMatchObject({ code: 'rate_limited', retryable: true });
    }
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  });
});
