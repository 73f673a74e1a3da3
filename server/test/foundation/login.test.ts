// Logging in: wrong passwords are limited per account and address, so guessing is slow while a stranger
// cannot lock the owner out; successful logins never count. Addresses come from X-Forwarded-For here
// (TRUST_PROXY), so one test process can speak from many.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStaff, startTestEnv, type TestEnv } from '../helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ TRUST_PROXY: 'true' });
});
afterAll(async () => {
  await env?.close();
});

async function attempt(email: string, password: string, from: string): Promise<number> {
  const r = await fetch(`${env.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ email, password }),
  });
  if (r.status === 429) expect((await r.json()).error).toMatchObject({ code: 'rate_limited', retryable: true });
  else await r.arrayBuffer();
  return r.status;
}
const wrong = (email: string, from: string, n: number) => Promise.all(Array.from({ length: n }, (_, i) => attempt(email, `guess-${i}`, from)));

describe('login', () => {
  it('refuses an address after 10 wrong passwords for an account, with a clear error', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push(await attempt('nobody@test.local', `guess-${i}`, '203.0.113.1'));
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10)).toEqual([429, 429]);
  });

  it('counts concurrent wrong passwords too: 30 at once get at most 10 answers', async () => {
    const codes = await wrong('nobody2@test.local', '203.0.113.2', 30);
    expect(codes.filter((c) => c === 401)).toHaveLength(10);
    expect(codes.filter((c) => c === 429)).toHaveLength(20);
  });

  it('a stranger’s wrong passwords do not lock the owner out', async () => {
    const owner = await createStaff(env.app, 'counsellor');
    expect((await wrong(owner.email, '203.0.113.3', 15)).filter((c) => c === 429).length).toBeGreaterThan(0);
    expect(await attempt(owner.email, owner.password, '198.51.100.3')).toBe(200);
  });

  it('successful logins never count, and one clears that address’s failures', async () => {
    const owner = await createStaff(env.app, 'counsellor');
    for (let i = 0; i < 15; i++) expect(await attempt(owner.email, owner.password, '198.51.100.4')).toBe(200);
    for (const c of await wrong(owner.email, '198.51.100.4', 9)) expect(c).toBe(401);
    expect(await attempt(owner.email, owner.password, '198.51.100.4')).toBe(200);
    // The typos before the success are forgiven: ten more are answered.
    for (const c of await wrong(owner.email, '198.51.100.4', 10)) expect(c).toBe(401);
    expect(await attempt(owner.email, owner.password, '198.51.100.4')).toBe(429);
  });

  it('guessing from many addresses is capped per account, but not for an address the owner used', async () => {
    const owner = await createStaff(env.app, 'counsellor');
    expect(await attempt(owner.email, owner.password, '198.51.100.5')).toBe(200);
    // 10 addresses, 10 wrong passwords each: the account's ceiling of 100 failures.
    for (let a = 0; a < 10; a++) for (const c of await wrong(owner.email, `192.0.2.${10 + a}`, 10)) expect(c).toBe(401);
    // A new address now waits, even with the right password: a guesser there learns nothing.
    expect(await attempt(owner.email, owner.password, '192.0.2.99')).toBe(429);
    // The owner's own address still logs in.
    expect(await attempt(owner.email, owner.password, '198.51.100.5')).toBe(200);
    // Other accounts are untouched.
    const other = await createStaff(env.app, 'counsellor');
    expect(await attempt(other.email, other.password, '192.0.2.99')).toBe(200);
  }, 60_000);
});
