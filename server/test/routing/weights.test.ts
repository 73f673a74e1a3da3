// Issue 18 item 1: capacity in weights. A conversation takes its channel's weight (setting
// `channelWeights`, hundredths of a slot) when it enters the queue; a counsellor's load is the sum of
// what their offers and chats reserve, never above capacity × 100; a phone call is exclusive.
// Non-chat conversations are started through the conversation service with their channel, as an
// adapter does (docs/channels.md).
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationChannel, Language, Offer } from '@helpline/shared';
import { AppError } from '../../src/http/errors.js';
import { DEFAULT_SETTINGS } from '../../src/settings/service.js';
import { call, eventually, startTestEnv, type TestEnv } from '../helpers.js';
import { accept, counsellor, nextOffer, type Counsellor } from './fixtures.js';

let env: TestEnv;
let sql: postgres.Sql;
beforeAll(async () => {
  env = await startTestEnv({ OFFER_TIMEOUT_MS: '5000', WRAPUP_MS: '0', WRAPUP_URGENT_MS: '0' });
  sql = postgres(env.databaseUrl, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end();
  await env?.close();
});

async function start(channel: ConversationChannel, language: Language): Promise<string> {
  const r = await env.app.conversations.start(null, { channel, language });
  return r.conversation.id;
}
const stateOf = async (id: string) => (await env.app.conversations.get(id)).state;
const loadOf = async (c: Counsellor) => (await env.app.router.agentState(c.id)).load;

/** Routing has nothing more to do and each counsellor has received what was sent before. */
async function quiet(...who: Counsellor[]): Promise<void> {
  await env.app.router.dispatch();
  await env.app.router.settle();
  for (const w of who) await call(w.socket, 'agent:hello');
}

/** Counsellors whose load is not what their live offers and chats reserve (none, ever). */
async function drift(): Promise<number> {
  const [r] = await sql<{ n: number }[]>`select count(*)::int as n from agent_states g where g.load <> (select coalesce(sum(x.weight), 0)
    from assignments x where x.staff_id = g.staff_id and x.status in ('offered','accepted'))`;
  return r!.n;
}

async function end(c: Counsellor, conversationId: string): Promise<void> {
  const r = await call(c.socket, 'conversation:end', { conversationId });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
}

describe('capacity in weights', () => {
  it('gives a counsellor of capacity 1 holding an e-mail up to four e-mails, but no chat', async () => {
    const k = await counsellor(env, { capacity: 1, languages: ['en'] });
    const e1 = await start('email', 'en');
    await accept(k, await nextOffer(k));
    expect(await loadOf(k)).toBe(0.25);

    const chat = await start('chat', 'en');
    await quiet(k);
    expect(k.offers).toHaveLength(0);
    expect(await stateOf(chat)).toBe('waiting');

    // E-mails behind the chat in the queue fit where it does not.
    const more = [await start('email', 'en'), await start('email', 'en'), await start('email', 'en')];
    for (let i = 0; i < 3; i++) await accept(k, await nextOffer(k));
    expect(await loadOf(k)).toBe(1);
    expect(await drift()).toBe(0);
    const e5 = await start('email', 'en');
    await quiet(k);
    expect(k.offers).toHaveLength(0);
    expect(await stateOf(e5)).toBe('waiting');
    expect(await stateOf(chat)).toBe('waiting');

    // Once the slot is whole again, the chat (first in the queue) is offered.
    await env.app.router.endConversation(e5, 'visitor');
    const chatOffer = nextOffer(k);
    for (const id of [e1, ...more]) await end(k, id);
    expect((await chatOffer).conversation.id).toBe(chat);
    expect(await loadOf(k)).toBe(1);
    await env.app.router.endConversation(chat, 'visitor');
    expect(await loadOf(k)).toBe(0);
    k.socket.disconnect();
  });

  it('lets a phone call wait for a counsellor with nothing else, and offers nothing beside it', async () => {
    const a = await counsellor(env, { capacity: 2, languages: ['bg'] });
    const c1 = await start('chat', 'bg');
    await accept(a, await nextOffer(a));

    const call1 = await start('phone', 'bg');
    await quiet(a);
    expect(a.offers).toHaveLength(0);
    expect(await stateOf(call1)).toBe('waiting');
    // Nor by hand: a supervisor's assignment checks the same rule.
    await expect(env.app.router.assignByHand(a.id, call1, a.id)).rejects.toMatchObject({ code: 'conflict' } satisfies Partial<AppError>);

    const callOffer = nextOffer(a);
    await end(a, c1);
    expect((await callOffer).conversation.id).toBe(call1);
    // The call holds the whole capacity, offered or accepted.
    expect(await loadOf(a)).toBe(2);
    await accept(a, (await env.app.router.openOffers(a.id))[0]!);
    expect(await loadOf(a)).toBe(2);
    expect(await drift()).toBe(0);

    const mail = await start('email', 'bg');
    await quiet(a);
    expect(a.offers).toHaveLength(0);
    expect(await stateOf(mail)).toBe('waiting');

    const mailOffer = nextOffer(a);
    await end(a, call1);
    expect((await mailOffer).conversation.id).toBe(mail);
    expect(await loadOf(a)).toBe(0.25);
    await env.app.router.endConversation(mail, 'visitor');
    expect(await loadOf(a)).toBe(0);
    a.socket.disconnect();
  });

  it('keeps the weight a conversation entered with: a settings change moves no held load', async () => {
    const a = await counsellor(env, { capacity: 1, languages: ['sr-Latn'] });
    const e1 = await start('email', 'sr-Latn');
    await accept(a, await nextOffer(a));
    expect(await loadOf(a)).toBe(0.25);

    await env.app.settings.set('channelWeights', { email: 50 });
    expect(await loadOf(a)).toBe(0.25);
    const e2 = await start('email', 'sr-Latn');
    await accept(a, await nextOffer(a));
    expect(await loadOf(a)).toBe(0.75);
    const weights = await sql<{ id: string; weight: number }[]>`select id, weight from conversations where id in (${e1}, ${e2})`;
    expect(Object.fromEntries(weights.map((w) => [w.id, w.weight]))).toEqual({ [e1]: 25, [e2]: 50 });

    // A transfer moves exactly the stored weight from one counsellor to the other.
    const b = await counsellor(env, { capacity: 1, languages: ['sr-Latn'] });
    const r = await call(a.socket, 'conversation:transfer', { conversationId: e1, to: { type: 'staff', staffId: b.id }, note: 'for you' });
    expect(r.ok).toBe(true);
    await accept(b, await nextOffer(b));
    expect(await loadOf(a)).toBe(0.5);
    expect(await loadOf(b)).toBe(0.25);
    expect(await drift()).toBe(0);
    await end(b, e1);
    await end(a, e2);
    expect(await loadOf(a)).toBe(0);
    expect(await loadOf(b)).toBe(0);
    await env.app.settings.set('channelWeights', DEFAULT_SETTINGS.channelWeights);
    for (const x of [a, b]) x.socket.disconnect();
  });

  it('never lets load pass capacity × 100 or drift from what is held, sampled in Postgres under churn', async () => {
    const lang: Language = 'sr-Cyrl';
    const team = [await counsellor(env, { capacity: 1, languages: [lang] }), await counsellor(env, { capacity: 2, languages: [lang] }), await counsellor(env, { capacity: 3, languages: [lang] })];
    const mix: ConversationChannel[] = ['email', 'chat', 'email', 'phone', 'api', 'email', 'viber', 'chat'];
    const ids: string[] = [];
    // Each counsellor declines every fourth offer and holds what they accept; the test ends held
    // conversations a few at a time, so holdings of mixed weights pile up to capacity and overlap.
    // A conversation is declined once at most: declined by all three, it would wait out the decline
    // cooldown (60 s) before anyone is offered it again, as designed, and outlast the test.
    const held = new Map<string, string[]>(team.map((k) => [k.id, []]));
    const declined = new Set<string>();
    for (const k of team) {
      k.socket.off('offer:new');
      let n = 0;
      k.socket.on('offer:new', (o: Offer) => {
        void (async () => {
          if (++n % 4 === 0 && !declined.has(o.conversation.id)) {
            declined.add(o.conversation.id);
            await call(k.socket, 'offer:decline', { offerId: o.offerId });
            return;
          }
          const r = await call(k.socket, 'offer:accept', { offerId: o.offerId });
          if (r.ok) held.get(k.id)!.push(o.conversation.id);
        })().catch(() => {}); // an ack lost to a slow machine: the drain below finds the chat in Postgres
      });
    }
    const endOldest = async (k: Counsellor) => {
      const id = held.get(k.id)!.shift();
      if (id) await end(k, id);
    };
    // At the end, what each counsellor holds is read from Postgres, not from the test's own list
    // (an accept whose ack timed out on a loaded machine is held but was never listed, and the test
    // waited for it in vain). Conversations left waiting or offered are not ended here: routing must
    // place them.
    const drain = async () => {
      const rows = await sql<{ staff_id: string; conversation_id: string }[]>`select staff_id, conversation_id from assignments
        where conversation_id in ${sql(ids)} and status = 'accepted'`;
      for (const r of rows) {
        const k = team.find((t) => t.id === r.staff_id);
        if (k) await end(k, r.conversation_id).catch(() => {});
      }
    };
    const samples: { over: number; drift: number; phoneShared: number; full: number }[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const [r] = await sql<{ over: number; drift: number; phone_shared: number; full: number }[]>`select
          (select count(*) from agent_states a join staff_users s on s.id = a.staff_id where a.load > s.capacity * 100)::int as over,
          (select count(*) from agent_states a join staff_users s on s.id = a.staff_id where a.load = s.capacity * 100)::int as full,
          (select count(*) from agent_states g where g.load <> (select coalesce(sum(x.weight), 0) from assignments x
             where x.staff_id = g.staff_id and x.status in ('offered','accepted')))::int as drift,
          (select count(*) from (select x.staff_id from assignments x join conversations c on c.id = x.conversation_id
             where x.status in ('offered','accepted') group by x.staff_id
             having count(*) filter (where c.channel = 'phone') > 0 and count(*) > 1) p)::int as phone_shared`;
        samples.push({ over: r!.over, drift: r!.drift, phoneShared: r!.phone_shared, full: r!.full });
      }
    })();
    try {
      for (let i = 0; i < 40; i++) {
        ids.push(await start(mix[i % mix.length]!, lang));
        if (i % 3 === 2) await endOldest(team[i % team.length]!);
      }
      const open = async () => (await sql<{ n: number }[]>`select count(*)::int as n from conversations where id in ${sql(ids)} and state in ('waiting','offered','active')`)[0]!.n;
      await eventually(async () => {
        await drain();
        await quiet(...team);
        return (await open()) === 0;
      }, 30_000).catch(async (e: unknown) => {
        // Say what was left open and what each had been through, not only that time ran out.
        const left = await sql`select c.id, c.state, c.channel, (select json_agg(json_build_object('staff', x.staff_id, 'status', x.status,
          'at', x.responded_at) order by x.offered_at) from assignments x where x.conversation_id = c.id) as history
          from conversations c where c.id in ${sql(ids)} and c.state in ('waiting','offered','active')`;
        throw new Error(`${(e as Error).message}; left open: ${JSON.stringify(left)}`);
      });
    } finally {
      sampling = false;
      await sampler;
    }
    expect(samples.length).toBeGreaterThan(10);
    expect(samples.some((s) => s.full > 0)).toBe(true);
    expect(samples.filter((s) => s.over > 0 || s.drift > 0 || s.phoneShared > 0)).toEqual([]);
    for (const k of team) expect(await loadOf(k)).toBe(0);
    for (const k of team) k.socket.disconnect();
  }, 90_000);
});
