// The retention purge at a centre's scale (pnpm bench data measures it on five years): transcripts are
// purged in batches, oldest first, each marked as purged so that no later run looks at it again; a
// year of orphaned visitors, more than one statement may bind (65,535), goes in chunks; nothing not
// yet due is touched. Rows are written by SQL, as years of use would have left them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { startTestEnv, type TestEnv } from '../helpers.js';
import { execRows } from '../../src/db/client.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
  await env.app.settings.set('retention', { transcriptDays: 90, caseRecordDays: 3650, hotlineReportDays: 3650, auditDays: 3650 });
});
afterAll(async () => {
  await env?.close();
});

const q = <T>(text: ReturnType<typeof sql>) => execRows<T>(env.app.db, text);

/** `n` closed conversations ended `daysAgo`, each with a visitor and two messages. */
async function conversations(n: number, daysAgo: number): Promise<void> {
  await q(sql`
    with v as (insert into visitors (created_at) select now() - make_interval(days => ${daysAgo}) from generate_series(1, ${n}) returning id, created_at),
    c as (insert into conversations (visitor_id, state, enqueued_at, ended_at, closed_at, created_at, last_seq)
          select id, 'closed', created_at, created_at, created_at, created_at, 2 from v returning id, created_at)
    insert into messages (conversation_id, seq, client_msg_id, sender, body, created_at)
    select c.id, s, c.id::text || s, 'visitor', 'words of a child', c.created_at from c cross join generate_series(1, 2) s`);
}

describe('the retention purge at scale', () => {
  it('purges due transcripts in batches, marks each, and a second run finds none', async () => {
    await conversations(2500, 400);
    await conversations(20, 10);
    const first = await env.app.retention.purge();
    expect(first.transcripts).toBe(2500);
    const [left] = await q<{ words: number; unmarked: number; linked: number }>(sql`
      select (select count(*)::int from messages m join conversations c on c.id = m.conversation_id where c.created_at < now() - interval '90 days' and m.body <> '') as words,
             (select count(*)::int from conversations where created_at < now() - interval '90 days' and transcript_purged_at is null) as unmarked,
             (select count(*)::int from conversations where created_at < now() - interval '90 days' and visitor_id is not null) as linked`);
    expect(left).toEqual({ words: 0, unmarked: 0, linked: 0 });
    // The recent ones are untouched.
    const [recent] = await q<{ words: number; marked: number }>(sql`
      select (select count(*)::int from messages m join conversations c on c.id = m.conversation_id where c.created_at > now() - interval '90 days' and m.body = 'words of a child') as words,
             (select count(*)::int from conversations where created_at > now() - interval '90 days' and transcript_purged_at is not null) as marked`);
    expect(recent).toEqual({ words: 40, marked: 0 });
    expect((await env.app.retention.purge()).transcripts).toBe(0);
  });

  it('deletes more orphaned visitors than one statement can bind', async () => {
    await q(sql`insert into visitors (created_at) select now() - interval '400 days' from generate_series(1, 70000)`);
    await env.app.retention.purge();
    const [v] = await q<{ n: number }>(sql`select count(*)::int as n from visitors where created_at < now() - interval '90 days'`);
    expect(v!.n).toBe(0);
  });
});
