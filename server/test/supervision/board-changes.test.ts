// The board's change path with the periodic refresh off (BOARD_REFRESH_MS=0): supervisors' presence is
// still kept, nothing is pushed without a change, every change is pushed by itself, and a change made
// while an older snapshot is still being computed is not answered with that older snapshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import type { BoardSnapshot } from '@helpline/shared';
import { TEST_REDIS_URL, agentClient, call, connected, createStaff, eventually, login, next, startTestEnv, type AgentClient, type TestEnv } from '../helpers.js';

let env: TestEnv;
let redis: Redis;
// Sockets stay open until the end: a counsellor's disconnect grace running out would touch the board
// in the middle of a later test and hide what it checks.
const open: AgentClient[] = [];
beforeAll(async () => {
  // A larger pool and no sweep: the lock held below must not starve the changes of connections.
  env = await startTestEnv({ BOARD_REFRESH_MS: '0', DATABASE_POOL_SIZE: '20', SWEEP_INTERVAL_MS: '0' });
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

  it('does not answer a change with a snapshot that was computed before it', async () => {
    const sup = await staffSocket('supervisor');
    const ben = await staffSocket('counsellor');
    const sock: AgentClient = ben.sock;
    await call(sock, 'agent:status', { status: 'away' });
    await next<BoardSnapshot>(sup.sock, 'board:update', (b) => statusOn(b, ben.profile.id) === 'away', 3_000);

    const sql = postgres(env.databaseUrl, { max: 2, onnotice: () => {} });
    const queue = new Queue('routing', { connection: redis, prefix: `${env.redisPrefix}:bull` });
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    try {
      // Hold a lock on conversations: a board computation reads the staff (and so change A) at once but
      // waits for the queue and the live chats, so it stays under way until the lock is released.
      let locked!: () => void;
      const isLocked = new Promise<void>((r) => (locked = r));
      const holder = sql.begin(async (tx) => {
        await tx`lock table conversations in access exclusive mode`;
        locked();
        await released;
      });
      await isLocked;
      // Change A: its board job starts computing and waits on the lock (its queue query is seen waiting).
      expect((await call(sock, 'agent:status', { status: 'available' })).ok).toBe(true);
      await eventually(async () => {
        const [r] = await sql`select count(*)::int as n from pg_stat_activity
          where wait_event_type = 'Lock' and query like '%left join assignments a on a.conversation_id = c.id and a.status = ''offered''%'`;
        return r!.n > 0;
      });
      // Change B, then wait until the board job of its 250 ms bucket runs (A's computation still blocked).
      const from = Math.floor(Date.now() / 250);
      expect((await call(sock, 'agent:status', { status: 'away' })).ok).toBe(true);
      const to = Math.floor(Date.now() / 250);
      const jobsOfB = new Set(Array.from({ length: to - from + 1 }, (_, i) => `board-${from + i}`));
      await eventually(async () => (await queue.getActive()).some((j) => jobsOfB.has(j.id ?? '')), 5_000);
      const seenB = next<BoardSnapshot>(sup.sock, 'board:update', (b) => statusOn(b, ben.profile.id) === 'away', 4_000);
      release();
      await holder;
      // A's computation started before B: the board must still come to show B, with no refresh to help.
      await seenB;
    } finally {
      release();
      await queue.close();
      await sql.end();
    }
  });
});
