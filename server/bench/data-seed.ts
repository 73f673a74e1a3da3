// `pnpm bench data`: five years of a busy national centre, written straight into Postgres by set-based
// SQL (generate_series), in the platform's own schema (the database is migrated by the platform first).
// Spreads: contacts grow over the years (the last year about twice the first), peak in the evening
// and spread over channels, languages, categories and outcomes roughly as the seed centres report
// them. Rows are written in time order, as years of use lay them out on disk. Reproducible: every
// random draw comes from setseed().
// Messages are loaded with their indexes dropped and rebuilt afterwards, as pg_restore does.
import type postgres from 'postgres';
import { CHI_CATEGORIES, INSAFE_CATEGORIES, OUTCOMES, PLATFORMS } from '@helpline/shared';

export interface SeedSize {
  conversations: number;
  messagesPerConversation: number;
  auditEvents: number;
  hotlineReports: number;
  years: number;
}

export const FULL: SeedSize = { conversations: 500_000, messagesPerConversation: 20, auditEvents: 2_000_000, hotlineReports: 100_000, years: 5 };

const arr = (xs: readonly string[]) => `array[${xs.map((x) => `'${x}'`).join(',')}]`;

/** A time in the seeded span: more contacts later (density ∝ 1 + t), mostly from 14:00 to 23:00. */
const WHEN = (span: string) => `(now() - ${span} + (-1 + sqrt(1 + 3 * random())) * ${span})::date
  + make_interval(hours => (case when random() < 0.75 then 14 + floor(random() * 9) else floor(random() * 24) end)::int, secs => floor(random() * 3600)::int)`;

const PHRASES = [
  'someone keeps writing to me in a game and asks for pictures',
  'they posted my photo in the class group and everyone laughs',
  'ne znam šta da radim, preti mi da će poslati slike',
  'не знам какво да правя, пишат ми гадни неща',
  'my parents do not know and I am scared to tell them',
  'how can I report a profile that pretends to be me',
  'thank you, I will try to talk to my teacher tomorrow',
  'can you tell me how to block him on instagram',
  'I understand, you did the right thing to write to us',
  'you are not alone, many young people go through this',
];

export async function seed(sql: postgres.Sql, size: SeedSize, log: (msg: string) => void): Promise<{ staffIds: string[] }> {
  const span = `interval '${size.years * 365} days'`;
  await sql`select setseed(0.42)`;
  const staff = await sql<{ id: string; role: string }[]>`select id, role from staff_users`;
  const counsellors = staff.filter((s) => s.role === 'counsellor').map((s) => s.id);
  const analysts = staff.filter((s) => s.role === 'analyst').map((s) => s.id);
  const staffArr = `array[${counsellors.map((id) => `'${id}'::uuid`).join(',')}]`;
  const analystArr = `array[${analysts.map((id) => `'${id}'::uuid`).join(',')}]`;
  const allStaffArr = `array[${staff.map((s) => `'${s.id}'::uuid`).join(',')}]`;
  const t0 = Date.now();
  const step = async (what: string, text: string) => {
    const t = Date.now();
    await sql.unsafe(text);
    log(`${what}: ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };

  await step(
    'conversations',
    `create temporary table seed_conv on commit preserve rows as
       select gen_random_uuid() as id, gen_random_uuid() as visitor_id, ${WHEN(span)} as created_at, random() as r1, random() as r2, random() as r3, random() as r4
       from generate_series(1, ${size.conversations})`,
  );
  await step('visitors', `insert into visitors (id, created_at, channel) select visitor_id, created_at, 'chat' from seed_conv`);
  await step(
    'conversations',
    `insert into conversations (id, visitor_id, channel, state, language, enqueued_at, assigned_staff_id, last_seq, visitor_read_seq, staff_read_seq,
                                first_accepted_at, accepted_at, ended_at, ended_by, closed_at, created_at)
     select id, visitor_id,
       case when r1 < 0.60 then 'chat' when r1 < 0.70 then 'email' when r1 < 0.82 then 'messenger' when r1 < 0.87 then 'instagram'
            when r1 < 0.95 then 'viber' when r1 < 0.97 then 'telegram' else 'whatsapp' end,
       case when r2 < 0.85 then 'closed' else 'abandoned' end,
       case when r3 < 0.55 then 'bg' when r3 < 0.80 then 'sr-Cyrl' when r3 < 0.90 then 'sr-Latn' else 'en' end,
       created_at,
       case when r2 < 0.85 then (${staffArr})[1 + floor(r4 * ${counsellors.length})::int] end,
       ${size.messagesPerConversation}, ${size.messagesPerConversation}, ${size.messagesPerConversation},
       case when r2 < 0.85 then created_at + make_interval(secs => 5 + r3 * 240) end,
       case when r2 < 0.85 then created_at + make_interval(secs => 5 + r3 * 240) end,
       created_at + make_interval(mins => 5 + (r4 * 50)::int),
       case when r2 < 0.85 then 'staff' else 'visitor' end,
       created_at + make_interval(mins => 7 + (r4 * 50)::int),
       created_at
     from seed_conv order by created_at`,
  );
  await step(
    'case records',
    `insert into case_records (conversation_id, staff_id, channel, contact_type, age_group, gender, categories, chi_categories, platform, risk_level, summary, outcome, created_at, updated_at)
     select c.id, c.assigned_staff_id, c.channel,
       case when s.r1 < 0.70 then 'child' when s.r1 < 0.88 then 'parent' when s.r1 < 0.96 then 'teacher-professional' else 'other' end,
       case when s.r2 < 0.08 then '5-11' when s.r2 < 0.85 then '12-18' else 'adult' end,
       case when s.r3 < 0.55 then 'girl-woman' when s.r3 < 0.92 then 'boy-man' else 'unknown' end,
       array[(${arr(INSAFE_CATEGORIES)})[1 + floor(power(s.r4, 2) * ${INSAFE_CATEGORIES.length})::int]],
       array[(${arr(CHI_CATEGORIES)})[1 + floor(s.r3 * ${CHI_CATEGORIES.length})::int]],
       (${arr(PLATFORMS)})[1 + floor(s.r2 * ${PLATFORMS.length})::int],
       case when s.r4 < 0.05 then 'high' when s.r4 < 0.3 then 'medium' else 'low' end,
       (${arr(PHRASES)})[1 + floor(s.r1 * ${PHRASES.length})::int] || ' (case ' || left(c.id::text, 8) || ')',
       (${arr(OUTCOMES)})[1 + floor(s.r3 * ${OUTCOMES.length})::int],
       c.closed_at, c.closed_at
     from conversations c join seed_conv s using (id) where c.state = 'closed' order by c.closed_at`,
  );

  // Messages: the indexes go while 10 million rows are written, then come back (pg_restore's order).
  const indexes = await sql<{ name: string; def: string }[]>`
    select indexname as name, indexdef as def from pg_indexes where schemaname = 'public' and tablename = 'messages' and indexname <> 'messages_pkey'`;
  const fks = await sql<{ name: string; def: string }[]>`
    select conname as name, pg_get_constraintdef(oid) as def from pg_constraint where conrelid = 'messages'::regclass and contype in ('f', 'u')`;
  for (const f of fks) await sql.unsafe(`alter table messages drop constraint ${f.name}`);
  for (const i of indexes) await sql.unsafe(`drop index if exists ${i.name}`);
  await step(
    `messages (${size.conversations * size.messagesPerConversation})`,
    `insert into messages (conversation_id, seq, client_msg_id, sender, sender_staff_id, body, created_at)
     select c.id, s, c.id::text || ':' || s,
       case when s % 2 = 0 and c.assigned_staff_id is not null then 'staff' else 'visitor' end,
       case when s % 2 = 0 then c.assigned_staff_id end,
       (${arr(PHRASES)})[1 + ((hashtext(c.id::text) + s) & 1023) % ${PHRASES.length}],
       c.created_at + make_interval(secs => s * 40)
     from (select * from conversations order by created_at) c cross join lateral generate_series(1, ${size.messagesPerConversation}) s`,
  );
  for (const f of fks) await step(`messages: ${f.name}`, `alter table messages add constraint ${f.name} ${f.def}`);
  for (const i of indexes.filter((i) => !fks.some((f) => f.name === i.name))) await step(`messages: ${i.name}`, i.def);

  await step(
    `audit events (${size.auditEvents})`,
    `insert into audit_events (at, actor_type, actor_id, action, target_type, target_id, meta)
     select ${WHEN(span)}, 'staff', (${allStaffArr})[1 + floor(random() * ${staff.length})::int],
       a.action, a.target, gen_random_uuid()::text, jsonb_build_object('seeded', true)
     from generate_series(1, ${size.auditEvents}) g
     cross join lateral (select (array['case.read','conversation.accepted','auth.login','hotline.report.read','case.updated','stats.export','note.added','privacy.reveal'])[1 + floor(power(random(), 1.5) * 8)::int] as action) a0
     cross join lateral (select a0.action, case split_part(a0.action, '.', 1) when 'case' then 'case' when 'hotline' then 'hotline_report' when 'auth' then 'staff' when 'stats' then 'stats' else 'conversation' end as target) a
     order by 1`,
  );
  await step(
    `hotline reports (${size.hotlineReports})`,
    `create temporary table seed_rep on commit preserve rows as
       select gen_random_uuid() as id, g, ${WHEN(span)} as created_at, random() as r1, random() as r2 from generate_series(1, ${size.hotlineReports}) g;
     insert into hotline_reports (id, reference, source, status, content_type, language, forwarded_at, removed_at, closed_at, created_at, updated_at)
     select id, 'HL-' || lpad(g::text, 7, '0'),
       case when r1 < 0.8 then 'form' when r1 < 0.9 then 'email' when r1 < 0.97 then 'widget' else 'counsellor' end,
       case when created_at > now() - interval '3 days' then (array['new','in_assessment','assessed'])[1 + floor(r2 * 3)::int]
            when r2 < 0.3 then 'content_removed' else 'closed' end,
       (array['csam','grooming','hate','other'])[1 + floor(r1 * 4)::int],
       case when r2 < 0.7 then 'bg' else 'sr-Cyrl' end,
       case when r2 < 0.35 then created_at + interval '1 day' end,
       case when r2 < 0.3 then created_at + interval '4 days' end,
       case when created_at <= now() - interval '3 days' then created_at + interval '5 days' end,
       created_at, created_at
     from seed_rep order by created_at;
     insert into hotline_urls (report_id, position, url, normalized_url, host, classification, site_type, hosting_country, assessed_by, assessed_at)
     select r.id, p, 'https://host' || (r.g % 5000) || '.example/page/' || r.g || '/' || p, 'https://host' || (r.g % 5000) || '.example/page/' || r.g || '/' || p,
       'host' || (r.g % 5000) || '.example',
       case when r.created_at <= now() - interval '3 days' then (array['baseline','nationally-illegal','not-illegal','hate','harmful-but-legal','out-of-remit'])[1 + floor(r.r1 * 6)::int] end,
       (array['image-host','social','forum','website','file-host'])[1 + floor(r.r2 * 5)::int],
       (array['NL','US','BG','RS','DE','RU'])[1 + floor(r.r1 * 6)::int],
       case when r.created_at <= now() - interval '3 days' then (${analystArr})[1 + floor(r.r2 * ${analysts.length})::int] end,
       case when r.created_at <= now() - interval '3 days' then r.created_at + interval '6 hours' end
     from (select * from seed_rep order by created_at) r cross join lateral generate_series(1, 1 + (r.g % 3)) p`,
  );
  // As autovacuum would have left five years of rows: statistics gathered, visibility maps set.
  await step('vacuum analyze', 'vacuum analyze');
  // And the seeding's dirty pages written out, as a checkpoint long since would have done.
  await step('checkpoint', 'checkpoint');
  log(`seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return { staffIds: staff.map((s) => s.id) };
}
