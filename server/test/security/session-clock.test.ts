// A staff session ends when its lifetime has passed on the platform's clock: an HTTP request and a new
// console connection are refused, and a live console is told it expired, without waiting for it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offsetClock } from '../../src/infra/clock.js';
import { agentClient, api, connected, createStaff, login, next, startTestEnv, type TestEnv } from '../helpers.js';

const clock = offsetClock();
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ SESSION_TTL_MS: '3600000' }, { clock });
});
afterAll(async () => {
  await env?.close();
});

describe('a staff session past its lifetime', () => {
  it('is refused over HTTP and at the socket handshake, and a live console is ended as expired', async () => {
    const staff = await createStaff(env.app, 'counsellor');
    const who = await login(env.url, staff.email, staff.password);
    expect((await api(env.url, who, 'GET', '/api/auth/me')).status).toBe(200);
    const sock = agentClient(env.url, who);
    await connected(sock);

    clock.advance(3_600_000 + 1000);
    const ended = next(sock, 'session:ended');
    await env.app.sessionWatch.recheck();
    expect(await ended).toEqual({ reason: 'expired' });
    expect((await api(env.url, who, 'GET', '/api/auth/me')).status).toBe(401);
    const again = agentClient(env.url, who);
    const err = await new Promise<Error>((resolve) => again.once('connect_error', resolve));
    expect(err.message).toBe('unauthorized');
    again.disconnect();
    sock.disconnect();
  });
});
