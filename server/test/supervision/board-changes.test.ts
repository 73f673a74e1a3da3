// The board's change path with the periodic refresh off (BOARD_REFRESH_MS=0): supervisors' presence is
// still kept, nothing is pushed without a change, and every change is pushed by itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import type { BoardSnapshot } from '@helpline/shared';
import { TEST_REDIS_URL, agentClient, call, connected, createStaff, eventually, login, next, startTestEnv, type AgentClient, type TestEnv } from '../helpers.js';

let env: TestEnv;
let redis: Redis;
// Sockets stay open until the end: a counsellor's disconnect grace running out would touch the board
// in the middle of a later test and hide what it checks.
const open: AgentClient[] = [];
beforeAll(async () => {
  env = await startTestEnv({ BOARD_REFRESH_MS: '0' });
  redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  for (const s of open) s.disconnect();
  redis?.disconnect();
  await env?.close();
});

async function staffSocket(role: 'counsellor' | 'supervisor') {
  const s = await createStaff(env.app, role);
  const sock = agentClient(env.url, await login(env.url, s.email, s.password));
  await connected(sock);
  open.push(sock);
  return { ...s, sock };
}

const statusOn = (b: BoardSnapshot, staffId: string) => b.counsellors.find((c) => c.staffId === staffId)?.status;

describe('board change path (periodic refresh off)', () => {
  it('keeps presence, pushes nothing by itself, and pushes each change', async () => {
    const sup = await staffSocket('supervisor');
    const ana = await staffSocket('counsellor');
    const key = `${env.redisPrefix}:sup:present`;
    // The heartbeat renews the presence key even though no refresh runs: its time to live goes up again.
    const ttl0 = await eventually(async () => {
      const t = await redis.pttl(key);
      return t > 0 ? t : null;
    });
    await eventually(async () => (await redis.pttl(key)) > ttl0, 3_000, 50);

    const away = next<BoardSnapshot>(sup.sock, 'board:update', (b) => statusOn(b, ana.profile.id) === 'away', 3_000);
    expect((await call(ana.sock, 'agent:status', { status: 'away' })).ok).toBe(true);
    await away;
    // Let the jobs of the buckets this change touched run, then quiet: no change, no update (the 1 s
    // refresh would have sent one).
    await new Promise((r) => setTimeout(r, 600));
    let pushed = 0;
    const count = () => pushed++;
    sup.sock.on('board:update', count);
    await new Promise((r) => setTimeout(r, 1_600));
    sup.sock.off('board:update', count);
    expect(pushed).toBe(0);

    const available = next<BoardSnapshot>(sup.sock, 'board:update', (b) => statusOn(b, ana.profile.id) === 'available', 3_000);
    expect((await call(ana.sock, 'agent:status', { status: 'available' })).ok).toBe(true);
    await available;
  });
});
