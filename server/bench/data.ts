// `pnpm bench data`: how the platform's cost grows with five years of a busy national centre. Seeds
// 500,000 conversations, 10 million messages, 2 million audit events and 100,000 hotline reports into a
// fresh Postgres database (data-seed.ts), starts an instance on it, and measures through its HTTP API,
// as a supervisor, an analyst and an admin use it: the p95 of a year's statistics (after a first look at
// each year, reported apart), a case search, an
// audit search and the hotline queue; a year's hotline CSV export, streamed (its time, and how much the
// instance's resident memory grew while it ran, sampled from /proc); then a retention purge of the
// oldest year of transcripts while chat traffic runs (rows blanked per second, and the send → delivery
// p99 of that traffic, with the same traffic's p99 just before as the baseline). Every figure is checked
// against Postgres: each answer must hold what the database says it should (the counts of the year,
// the matching cases, the open reports, every URL of the year in the export, every due transcript
// blanked and no other), so a query that got fast by answering less fails the bench.
// BENCH_DATA_SCALE=0.1 seeds a tenth (quick runs); BENCH_DATA_KEEP=1 keeps the database.
// The last line is one JSON object.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import postgres from 'postgres';
import { api, agentClient, call, connected, createTestDatabase, deleteRedisPrefix, login, TEST_SETTINGS, uid, widgetClient, type LoggedIn } from '../test/helpers.js';
import { spawnInstance, type InstanceProcess } from '../test/processes.js';
import { openDatabase } from '../src/db/client.js';
import { createAuthService } from '../src/auth/service.js';
import { FULL, seed, type SeedSize } from './data-seed.js';

const log = (msg: string) => process.stderr.write(`[data] ${msg}\n`);
const SCALE = Number(process.env.BENCH_DATA_SCALE ?? 1);
const SIZE: SeedSize = {
  ...FULL,
  conversations: Math.round(FULL.conversations * SCALE),
  auditEvents: Math.round(FULL.auditEvents * SCALE),
  hotlineReports: Math.round(FULL.hotlineReports * SCALE),
};
const RUNS = 20;
const DAY = 86_400_000;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

async function ok(res: Promise<{ status: number; body: any }>, what: string) {
  const r = await res;
  if (r.status !== 200) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

async function main() {
  const db = await createTestDatabase();
  const redisPrefix = `hl:bdata:${uid(4)}:`;
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  let instance: InstanceProcess | undefined;
  try {
    // The platform's schema, and its staff (one password for all).
    const database = await openDatabase({ url: db.url, poolSize: 4 });
    const auth = createAuthService(database.db, { sessionTtlMs: 3600_000, defaultCapacity: 4 });
    const password = `bench-${uid(8)}`;
    const mk = (role: 'counsellor' | 'supervisor' | 'analyst' | 'admin', i: number) =>
      auth.createUser({ email: `${role}-${i}@bench.local`, name: `${role} ${i}`, role, password, languages: ['bg', 'en', 'sr-Cyrl', 'sr-Latn'], capacity: 4 });
    const counsellors = [];
    for (let i = 0; i < 40; i++) counsellors.push(await mk('counsellor', i));
    const supervisor = await mk('supervisor', 0);
    const analyst = await mk('analyst', 0);
    await mk('analyst', 1);
    const admin = await mk('admin', 0);
    await database.close();
    // Retention: transcripts kept four years, so the purge takes the oldest year; everything else ten.
    const retention = { transcriptDays: 4 * 365, caseRecordDays: 3650, hotlineReportDays: 3650, auditDays: 3650 };
    await sql`insert into settings (key, value) values ('retention', ${sql.json(retention)}) on conflict (key) do update set value = excluded.value`;

    log(`seeding ${JSON.stringify(SIZE)} into ${db.name}`);
    await seed(sql, SIZE, log);
    const [counts] = await sql<{ conversations: number; messages: number; audit: number; reports: number }[]>`
      select (select count(*)::int from conversations) as conversations, (select count(*)::int from messages) as messages,
             (select count(*)::int from audit_events) as audit, (select count(*)::int from hotline_reports) as reports`;
    log(`seeded: ${JSON.stringify(counts)}`);

    instance = await spawnInstance({
      databaseUrl: db.url,
      redisPrefix,
      env: {
        ...TEST_SETTINGS,
        // The purge's pacing, to compare settings (defaults: the platform's own).
        ...(process.env.RETENTION_BATCH_SIZE ? { RETENTION_BATCH_SIZE: process.env.RETENTION_BATCH_SIZE } : {}),
        ...(process.env.RETENTION_PAUSE_RATIO ? { RETENTION_PAUSE_RATIO: process.env.RETENTION_PAUSE_RATIO } : {}),
        AUTO_ACCEPT: 'true', MESSAGE_RATE_PER_10S: '100000000', WIDGET_CONNECTIONS_PER_IP_PER_MIN: '100000000', DATABASE_POOL_SIZE: '10', LOG_LEVEL: 'warn', DISCONNECT_GRACE_MS: '600000', VISITOR_GRACE_MS: '600000' },
    });
    const url = instance.url;
    const sup = await login(url, supervisor.email, password);
    const ana = await login(url, analyst.email, password);
    const adm = await login(url, admin.email, password);
    const thisYear = new Date().getUTCFullYear();
    const years = Array.from({ length: SIZE.years }, (_, i) => thisYear - SIZE.years + 1 + i);

    // A year's statistics: the contacts it counts must be the case records of that year.
    // The first look at each year (the instance just started, the year's pages not in Postgres's
    // buffers) is reported apart; the p95 is of the looks after it.
    const coldMs: number[] = [];
    for (const y of years) coldMs.push((await timed(() => ok(api(url, sup, 'GET', `/api/stats?from=${y}-01-01&to=${y}-12-31`), 'stats'))).ms);
    log(`stats of a year, first look at each: ${coldMs.map((x) => Math.round(x)).join(' ')} ms`);
    const statsMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const y = years[i % years.length]!;
      const r = await timed(() => ok(api(url, sup, 'GET', `/api/stats?from=${y}-01-01&to=${y}-12-31`), 'stats'));
      statsMs.push(r.ms);
      if (i < years.length) {
        const { n } = (await sql<{ n: number }[]>`select count(*)::int as n from case_records where created_at >= ${`${y}-01-01`}::date and created_at < ${`${y + 1}-01-01`}::date`)[0]!;
        if (r.value.contacts.total !== n) throw new Error(`stats ${y}: ${r.value.contacts.total} contacts, Postgres has ${n}`);
      }
    }
    log(`stats of a year: p50 ${round(pct(statsMs, 50))} ms, p95 ${round(pct(statsMs, 95))} ms (${statsMs.map((x) => Math.round(x)).join(' ')})`);

    // Case search: a supervisor looks for a word in the summaries within a year, and a category. A word
    // matches in either Serbian script (the summaries folded as search_fold folds them, recomputed here).
    const caseMs: number[] = [];
    const words = ['instagram', 'teacher', 'photo', 'slike', 'гадни'];
    for (let i = 0; i < RUNS; i++) {
      const y = years[i % years.length]!;
      const q = words[i % words.length]!;
      const path = `/api/cases?q=${encodeURIComponent(q)}&from=${y}-01-01&to=${y}-12-31&limit=50`;
      const r = await timed(() => ok(api(url, sup, 'GET', path), 'case search'));
      caseMs.push(r.ms);
      if (i < words.length) {
        const { n } = (await sql<{ n: number }[]>`select count(*)::int as n from case_records where created_at >= ${`${y}-01-01`}::date and created_at < ${`${y + 1}-01-01`}::date and search_fold(summary) like '%' || search_fold(${q}) || '%'`)[0]!;
        const expected = Math.min(50, n);
        if (r.value.cases.length !== expected) throw new Error(`case search "${q}" ${y}: ${r.value.cases.length} found, Postgres has ${n} (limit 50)`);
      }
    }
    log(`case search: p95 ${round(pct(caseMs, 95))} ms`);
    // The worst case, reported apart: a word no summary holds, over every year (a scan of them all).
    const rareMs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await timed(() => ok(api(url, sup, 'GET', '/api/cases?q=zqxj&limit=50'), 'case search'));
      if (r.value.cases.length) throw new Error('case search: a word nobody wrote was found');
      rareMs.push(r.ms);
    }
    log(`case search for a word nobody wrote, all years: median ${round(pct(rareMs, 50))} ms`);

    // Audit search: by who did it (a counsellor), by what was touched, by action in a month.
    const auditMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const c = counsellors[i % counsellors.length]!;
      const month = new Date(Date.now() - (1 + (i % 48)) * 30 * DAY);
      const queries = [
        `/api/audit?actorId=${c.id}&limit=100`,
        `/api/audit?action=privacy.reveal&from=${month.toISOString()}&to=${new Date(month.getTime() + 30 * DAY).toISOString()}&limit=100`,
        `/api/audit?targetType=case&actorId=${c.id}&from=${month.toISOString()}&limit=100`,
      ];
      const path = queries[i % queries.length]!;
      const r = await timed(() => ok(api(url, sup, 'GET', path), 'audit search'));
      auditMs.push(r.ms);
      if (i === 0) {
        const { n } = (await sql<{ n: number }[]>`select least(count(*), 100)::int as n from audit_events where actor_id = ${c.id}`)[0]!;
        if (r.value.events.length !== n) throw new Error(`audit search by actor: ${r.value.events.length}, Postgres has ${n}`);
      }
    }
    log(`audit search: p95 ${round(pct(auditMs, 95))} ms`);

    // The hotline queue: every open report, oldest first.
    const queueMs: number[] = [];
    const { open } = (await sql<{ open: number }[]>`select count(*)::int as open from hotline_reports where status in ('new','in_assessment','assessed','forwarded')`)[0]!;
    for (let i = 0; i < RUNS; i++) {
      const r = await timed(() => ok(api(url, ana, 'GET', '/api/hotline/reports?status=open&limit=500'), 'hotline queue'));
      queueMs.push(r.ms);
      if (r.value.length !== Math.min(500, open)) throw new Error(`hotline queue: ${r.value.length} reports, Postgres has ${open} open`);
    }
    log(`hotline queue (${open} open): p95 ${round(pct(queueMs, 95))} ms`);

    // A year's export, streamed: time, and the instance's memory growth while it ran.
    const y = thisYear - 1;
    const { urls } = (await sql<{ urls: number }[]>`select count(*)::int as urls from hotline_urls u join hotline_reports r on r.id = u.report_id where r.created_at >= ${`${y}-01-01`}::date and r.created_at < ${`${y + 1}-01-01`}::date`)[0]!;
    const before = rssMb(instance.child.pid!);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(instance!.child.pid!))), 20);
    const exp = await timed(async () => {
      const res = await fetch(`${url}/api/hotline/export?format=csv&from=${y}-01-01T00:00:00Z&to=${y + 1}-01-01T00:00:00Z`, { headers: { cookie: ana.cookie } });
      if (res.status !== 200) throw new Error(`export: ${res.status} ${(await res.text()).slice(0, 300)}`);
      let lines = 0;
      let bytes = 0;
      const decoder = new TextDecoder();
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        bytes += chunk.length;
        for (const ch of decoder.decode(chunk, { stream: true })) if (ch === '\n') lines++;
      }
      return { lines, bytes };
    });
    clearInterval(sampler);
    peak = Math.max(peak, rssMb(instance.child.pid!));
    if (exp.value.lines !== urls + 1) throw new Error(`export ${y}: ${exp.value.lines - 1} rows, Postgres has ${urls} URLs`);
    log(`export of ${y}: ${urls} rows, ${round(exp.value.bytes / 1e6)} MB in ${round(exp.ms / 1000, 2)} s; RSS ${round(before)} → ${round(peak)} MB`);

    // The purge of the oldest year while chat traffic runs.
    const traffic = await chatTraffic(url, counsellors.slice(0, 10).map((c) => c.email), password);
    const measuring = traffic.start();
    await new Promise((r) => setTimeout(r, 20_000));
    const baseline = await measuring.stop();
    log(`traffic before the purge: p99 ${round(baseline.p99)} ms over ${baseline.n} messages`);
    const cutoff = new Date(Date.now() - retention.transcriptDays * DAY);
    const [due] = await sql<{ conversations: number; messages: number }[]>`
      select count(distinct c.id)::int as conversations, count(m.id)::int as messages from conversations c join messages m on m.conversation_id = c.id
      where c.state in ('closed','abandoned') and coalesce(c.closed_at, c.ended_at, c.created_at) < ${cutoff.toISOString()} and m.body <> ''`;
    const during = traffic.start();
    const purge = await timed(() => ok(api(url, adm, 'POST', '/api/retention/purge'), 'purge'));
    const duringPurge = await during.stop();
    const [after] = await sql<{ left: number; blanked: number }[]>`
      select count(*) filter (where coalesce(c.closed_at, c.ended_at, c.created_at) < ${cutoff.toISOString()} and m.body <> '')::int as left,
             count(*) filter (where coalesce(c.closed_at, c.ended_at, c.created_at) >= ${cutoff.toISOString()} and m.body = '' and c.state in ('closed','abandoned'))::int as blanked
      from conversations c join messages m on m.conversation_id = c.id`;
    if (purge.value.purged.transcripts !== due!.conversations) throw new Error(`purge: ${purge.value.purged.transcripts} transcripts, ${due!.conversations} were due`);
    if (after!.left !== 0 || after!.blanked !== 0) throw new Error(`purge: ${after!.left} due messages left, ${after!.blanked} not due blanked`);
    log(`purge: ${due!.conversations} transcripts, ${due!.messages} messages in ${round(purge.ms / 1000, 2)} s; traffic p99 ${round(duringPurge.p99)} ms over ${duringPurge.n} messages`);
    await traffic.close();

    console.log(
      JSON.stringify({
        bench: 'data',
        conversations: counts!.conversations,
        messages: counts!.messages,
        audit_events: counts!.audit,
        hotline_reports: counts!.reports,
        stats_year_p95_ms: round(pct(statsMs, 95)),
        stats_year_first_look_max_ms: round(Math.max(...coldMs)),
        case_search_p95_ms: round(pct(caseMs, 95)),
        case_search_unmatched_all_years_ms: round(pct(rareMs, 50)),
        audit_search_p95_ms: round(pct(auditMs, 95)),
        hotline_queue_p95_ms: round(pct(queueMs, 95)),
        export_year_rows: urls,
        export_year_s: round(exp.ms / 1000, 2),
        export_rss_mb: round(peak - before),
        rss_before_export_mb: round(before),
        purge_messages: due!.messages,
        purge_s: round(purge.ms / 1000, 2),
        purge_rows_per_s: Math.round(due!.messages / (purge.ms / 1000)),
        message_p99_before_purge_ms: round(baseline.p99),
        message_p99_during_purge_ms: round(duringPurge.p99),
        messages_during_purge: duringPurge.n,
      }),
    );
  } finally {
    await instance?.kill('SIGTERM');
    await sql.end({ timeout: 5 });
    await deleteRedisPrefix(redisPrefix);
    if (process.env.BENCH_DATA_KEEP) log(`kept database ${db.name}`);
    else await db.drop();
  }
}

/**
 * Chat traffic: 20 children, each in a chat with one of 10 counsellors, each child sending a message
 * every 200 ms (100 a second in all); latency is send → the counsellor's message:new.
 */
async function chatTraffic(url: string, emails: string[], password: string) {
  const agents = await Promise.all(
    emails.map(async (email) => {
      const who: LoggedIn = await login(url, email, password);
      const s = agentClient(url, who);
      await connected(s);
      await call(s, 'agent:hello');
      await call(s, 'agent:status', { status: 'available' });
      return s;
    }),
  );
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let recording = false;
  for (const a of agents) {
    a.on('message:new', (m) => {
      const t = sentAt.get(m.clientMsgId);
      if (t === undefined || m.sender !== 'visitor') return;
      sentAt.delete(m.clientMsgId);
      if (recording) latencies.push(performance.now() - t);
    });
  }
  const children: { c: ReturnType<typeof widgetClient>; conversationId: string }[] = [];
  for (let i = 0; i < 20; i++) {
    const c = widgetClient(url);
    await connected(c);
    const started = await call(c, 'conversation:start', { language: 'en' });
    if (!started.ok) throw new Error(`start: ${started.error.code}`);
    children.push({ c, conversationId: started.data.conversation.id as string });
  }
  // Wait until every chat is with a counsellor (auto-accept).
  const deadline = Date.now() + 30_000;
  for (;;) {
    const held = (await Promise.all(agents.map((a) => call(a, 'agent:hello')))).reduce((n, h) => n + (h.ok ? h.data.conversations.length : 0), 0);
    if (held >= children.length) break;
    if (Date.now() > deadline) throw new Error(`only ${held} of ${children.length} chats were taken`);
    await new Promise((r) => setTimeout(r, 200));
  }
  let errors = 0;
  const timer = setInterval(() => {
    for (const ch of children) {
      const clientMsgId = randomUUID();
      sentAt.set(clientMsgId, performance.now());
      void call(ch.c, 'message:send', { conversationId: ch.conversationId, clientMsgId, body: 'still there?' }).then(
        (r) => {
          if (!r.ok) errors++;
        },
        () => errors++,
      );
    }
  }, 200);
  const result = () => {
    if (errors) throw new Error(`${errors} messages refused during the traffic`);
    const p99 = latencies.length ? pct(latencies, 99) : NaN;
    return { p99, n: latencies.length };
  };
  return {
    /** Latencies from now until stop() is called. */
    start() {
      latencies.length = 0;
      recording = true;
      return {
        async stop() {
          await new Promise((r) => setTimeout(r, 1000)); // the last sends arrive
          recording = false;
          return result();
        },
      };
    },
    async close() {
      clearInterval(timer);
      for (const ch of children) ch.c.close();
      for (const a of agents) a.close();
    },
  };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
