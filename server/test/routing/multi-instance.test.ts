// Issue 3 item 8: two server processes share Postgres and Redis. Visitors and counsellors join, leave,
// decline and disconnect at random; throughout, no conversation is offered to two counsellors, nobody
// exceeds capacity, and messages reach the right socket whichever instance it is on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import type { Offer } from '@helpline/shared';
import { agentClient, call, connected, createTestDatabase, deleteRedisPrefix, eventually, login, randomUUID, uid, widgetClient, type AgentClient, type WidgetClient } from '../helpers.js';
import { spawnInstance, type InstanceProcess } from '../processes.js';
import { hash } from '@node-rs/argon2';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let sql: postgres.Sql;
const prefix = `t${uid()}`;
const instances: InstanceProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  instances.push(await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env: { OFFER_TIMEOUT_MS: '1500', DISCONNECT_GRACE_MS: '1000' } }));
  instances.push(await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env: { OFFER_TIMEOUT_MS: '1500', DISCONNECT_GRACE_MS: '1000' } }));
  sql = postgres(db.url, { max: 2, onnotice: () => {} });
}, 90_000);

afterAll(async () => {
  await Promise.all(instances.map((i) => i.kill('SIGTERM')));
  await sql?.end();
  await db?.drop();
  await deleteRedisPrefix(prefix);
});

async function checkInvariants(): Promise<{ doubles: number; over: number; drift: number }> {
  const [d] = await sql`select count(*)::int as n from (select conversation_id from assignments where status in ('offered','accepted') group by 1 having count(*) > 1) t`;
  // Capacity in weights (hundredths of a slot): what live assignments reserve, and the load that counts them.
  const [o] = await sql`select count(*)::int as n from staff_users s where (select coalesce(sum(a.weight), 0) from assignments a where a.staff_id = s.id and a.status in ('offered','accepted')) > s.capacity * 100`;
  const [l] = await sql`select count(*)::int as n from agent_states g where g.load <> (select coalesce(sum(a.weight), 0) from assignments a where a.staff_id = g.staff_id and a.status in ('offered','accepted'))`;
  return { doubles: d!.n, over: o!.n, drift: l!.n };
}

describe('several instances', () => {
  it('keeps every routing invariant under random churn, and delivers across instances', async () => {
    const pw = 'multi-instance-pw';
    const passwordHash = await hash(pw, { algorithm: 2 });
    const N = 10;
    const staff: { id: string; email: string; capacity: number }[] = [];
    for (let i = 0; i < N; i++) {
      const email = `c${i}-${uid(3)}@test.local`;
      const capacity = 1 + (i % 3);
      const [row] = await sql`insert into staff_users (email, name, role, password_hash, languages, capacity)
        values (${email}, ${'C' + i}, 'counsellor', ${passwordHash}, '{bg,en}'::text[], ${capacity}) returning id`;
      staff.push({ id: row!.id, email, capacity });
    }
    const rand = (n: number) => Math.floor(Math.random() * n);
    const instanceUrl = () => instances[rand(instances.length)]!.url;

    // Counsellors: each on a random instance; they accept or decline at random.
    const agents: { sock: AgentClient; id: string }[] = [];
    let deliveredAcross = 0;
    const connectAgent = async (s: (typeof staff)[number]) => {
      const url = instanceUrl();
      const who = await login(url, s.email, pw);
      const sock = agentClient(url, who);
      sock.on('offer:new', (o: Offer) => {
        setTimeout(() => {
          const r = Math.random();
          if (r < 0.6) void call(sock, 'offer:accept', { offerId: o.offerId }).catch(() => {});
          else if (r < 0.85) void call(sock, 'offer:decline', { offerId: o.offerId }).catch(() => {});
          // else: let it time out
        }, rand(200));
      });
      sock.on('message:new', (m: any) => {
        if (m.sender === 'visitor') {
          deliveredAcross++;
          if (Math.random() < 0.3) void call(sock, 'conversation:end', { conversationId: m.conversationId }).catch(() => {});
        }
      });
      await connected(sock);
      await call(sock, 'agent:status', { status: 'available' });
      return { sock, id: s.id };
    };
    for (const s of staff) agents.push(await connectAgent(s));

    const children: { sock: WidgetClient; conversationId: string }[] = [];
    const violations: string[] = [];
    const deadline = Date.now() + 20_000;
    let ticks = 0;
    while (Date.now() < deadline) {
      ticks++;
      const action = rand(10);
      if (action < 4) {
        const url = instanceUrl();
        const sock = widgetClient(url);
        await connected(sock);
        const r = await call(sock, 'conversation:start', { language: Math.random() < 0.5 ? 'bg' : 'en' });
        if (r.ok) {
          const conversationId = r.data.conversation.id;
          children.push({ sock, conversationId });
          sock.on('conversation:updated', (c: any) => {
            if (c.state === 'active') void call(sock, 'message:send', { conversationId, clientMsgId: randomUUID(), body: 'hello' }).catch(() => {});
          });
        }
      } else if (action < 6 && children.length) {
        const c = children.splice(rand(children.length), 1)[0]!;
        await call(c.sock, 'conversation:end', { conversationId: c.conversationId }).catch(() => {});
        c.sock.disconnect();
      } else if (action < 7 && agents.length) {
        // A counsellor's network drops and comes back (sometimes on the other instance).
        const i = rand(agents.length);
        const a = agents[i]!;
        a.sock.disconnect();
        await new Promise((r) => setTimeout(r, rand(1500)));
        agents[i] = await connectAgent(staff.find((s) => s.id === a.id)!);
      }
      if (ticks % 5 === 0) {
        const inv = await checkInvariants();
        if (inv.doubles || inv.over || inv.drift) violations.push(JSON.stringify(inv));
      }
      await new Promise((r) => setTimeout(r, rand(120)));
    }
    expect(violations).toEqual([]);
    expect(deliveredAcross).toBeGreaterThan(0);

    // Convergence: with everyone gone, every conversation ends up out of the live states.
    for (const c of children) {
      await call(c.sock, 'conversation:end', { conversationId: c.conversationId }).catch(() => {});
      c.sock.disconnect();
    }
    for (const a of agents) a.sock.disconnect();
    await eventually(
      async () => {
        const [r] = await sql`select count(*)::int as n from assignments where status in ('offered','accepted')`;
        return r!.n === 0;
      },
      20_000,
      250,
    );
    expect(await checkInvariants()).toEqual({ doubles: 0, over: 0, drift: 0 });
    const [loads] = await sql`select coalesce(sum(load),0)::int as n from agent_states`;
    expect(loads!.n).toBe(0);
  }, 90_000);
});
