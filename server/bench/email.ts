// `pnpm bench email`: a burst of 5,000 mails (issue 19 item 8) taken from a private Dovecot by one
// server instance of its own (a process, on a fresh database), with memory measured the whole time.
// The mails are in the mailbox before the inbox is connected, from 100 senders (100 threads); every
// 25th carries a 256 KB PDF (named in the conversation, never stored), so the mailbox holds far more
// than the instance should ever keep in memory. Reports the time to take them all, the instance's
// resident memory (sampled from /proc) and V8 heap (its /metrics) before and at their peak, and checks
// against Postgres that each mail was taken once and each thread's mails are in mailbox order.
// BENCH_EMAIL_MAILS=500 for a quick run. The last line is one JSON object.
import postgres from 'postgres';
import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import { api, createTestDatabase, deleteRedisPrefix, login, uid } from '../test/helpers.js';
import { spawnInstance, type InstanceProcess } from '../test/processes.js';
import { startDovecot } from '../test/channels/email/dovecot.js';
import { multipartMail, rawMail, startSmtpReceiver } from '../test/channels/email/smtp.js';
import { openDatabase } from '../src/db/client.js';
import { createAuthService } from '../src/auth/service.js';

const log = (msg: string) => process.stderr.write(`[email] ${msg}\n`);
const N = Number(process.env.BENCH_EMAIL_MAILS ?? 5000);
const SENDERS = 100;
const MAILBOX = 'burst@centre.test';
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const MB = 1024 * 1024;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

async function heapMb(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = /^helpline_process_nodejs_heap_size_used_bytes (\d+(?:\.\d+)?(?:e\+\d+)?)$/m.exec(text);
  return m ? Number(m[1]) / MB : NaN;
}

const PDF = 'x'.repeat(256 * 1024);
const LINE = 'Someone I met in a game keeps writing to me and I do not know what to do about it. ';
function mail(i: number): string {
  const h = { From: `sender${i % SENDERS}@example.org`, To: MAILBOX, Subject: `m${i}`, 'Message-ID': `<bench-${i}@example.org>` };
  const text = `mail ${i}\n${LINE.repeat(24)}`;
  return i % 25 === 0 ? multipartMail(h, [{ type: 'text/plain', body: text }, { type: 'application/pdf', body: PDF, filename: `scan-${i}.pdf` }]) : rawMail(h, text);
}

async function main() {
  const db = await createTestDatabase();
  const redisPrefix = `hl:bemail:${uid(4)}:`;
  const sql = postgres(db.url, { max: 2, onnotice: () => {} });
  const dovecot = await startDovecot();
  const PW = `imap-${uid(8)}`;
  dovecot.setUser(MAILBOX, PW);
  const smtp = await startSmtpReceiver({ user: 'u', password: 'p' });
  let instance: InstanceProcess | undefined;
  try {
    const t0 = performance.now();
    let bytes = 0;
    const c = new ImapFlow({ host: '127.0.0.1', port: dovecot.port, secure: false, auth: { user: MAILBOX, pass: PW }, logger: false });
    await c.connect();
    for (let i = 1; i <= N; i++) {
      const raw = mail(i);
      bytes += Buffer.byteLength(raw);
      await c.append('INBOX', raw);
    }
    await c.logout();
    log(`${N} mails (${round(bytes / MB)} MB) in the mailbox in ${round((performance.now() - t0) / 1000)} s`);

    const database = await openDatabase({ url: db.url, poolSize: 2 });
    const auth = createAuthService(database.db, { sessionTtlMs: 3600_000, defaultCapacity: 4 });
    const password = `bench-${uid(8)}`;
    await auth.createUser({ email: 'admin@bench.local', name: 'Admin', role: 'admin', password, languages: ['en'], capacity: 1 });
    await database.close();
    // The production defaults of sessions (50 s, every 60 s) and of the mail size limit.
    instance = await spawnInstance({ databaseUrl: db.url, redisPrefix, env: { EMAIL_POLL_MS: '60000', EMAIL_IDLE_MS: '50000', EMAIL_TIMEOUT_MS: '20000', DELIVERY_BACKOFF_MS: '100' } });
    const pid = instance.child.pid!;
    const admin = await login(instance.url, 'admin@bench.local', password);
    const rssBefore = rssMb(pid);
    const heapBefore = await heapMb(instance.url);
    let rssPeak = rssBefore;
    let heapPeak = heapBefore;
    let exited: string | null = null;
    instance.child.once('exit', (code, signal) => (exited = `the instance exited (${code ?? signal}): ${instance!.output.join('').slice(-3000)}`));
    const sampler = setInterval(() => {
      if (!exited) rssPeak = Math.max(rssPeak, rssMb(pid));
    }, 100);
    const heapSampler = setInterval(() => {
      void heapMb(instance!.url).then((h) => (heapPeak = Math.max(heapPeak, h)), () => {});
    }, 500);

    const started = performance.now();
    const res = await api(instance.url, admin, 'POST', '/api/admin/inboxes', {
      channel: 'email',
      name: 'Burst',
      email: { purpose: 'helpline', language: 'en', imapHost: '127.0.0.1', imapPort: dovecot.port, imapTls: false, imapUser: MAILBOX, imapPassword: PW, smtpHost: '127.0.0.1', smtpPort: smtp.port, smtpTls: false, smtpUser: 'u', smtpPassword: 'p', fromAddress: MAILBOX },
    });
    if (res.status !== 201) throw new Error(`inbox: ${res.status} ${JSON.stringify(res.body)}`);
    const inboxId = res.body.inbox.id as string;
    let lastLog = 0;
    for (;;) {
      if (exited) throw new Error(exited);
      const [row] = await sql<{ last: number }[]>`select coalesce((select last_uid from email_mailboxes where inbox_id = ${inboxId}), 0)::int as last`;
      if (row!.last >= N) break;
      if (performance.now() - lastLog > 10_000) {
        log(`${row!.last} taken, rss ${round(rssMb(pid))} MB`);
        lastLog = performance.now();
      }
      if (performance.now() - started > 30 * 60_000) throw new Error(`only ${row!.last} of ${N} taken in 30 minutes`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    clearInterval(heapSampler);
    const rssEnd = rssMb(pid);

    // Once each, and in mailbox order within each thread.
    const rows = await sql<{ conversation_id: string; body: string }[]>`
      select m.conversation_id, m.body from messages m join email_messages e on e.message_id = m.id
      where e.inbox_id = ${inboxId} and m.sender = 'visitor' order by m.conversation_id, m.seq`;
    const seen = new Set<number>();
    const lastOf = new Map<string, number>();
    let outOfOrder = 0;
    for (const r of rows) {
      const i = Number(/^m(\d+)\n/.exec(r.body)?.[1]);
      seen.add(i);
      if ((lastOf.get(r.conversation_id) ?? 0) > i) outOfOrder++;
      lastOf.set(r.conversation_id, i);
    }
    if (rows.length !== N || seen.size !== N) throw new Error(`${rows.length} messages of ${seen.size} distinct mails for ${N} mails`);
    if (outOfOrder) throw new Error(`${outOfOrder} mails out of order`);
    if (lastOf.size !== SENDERS) throw new Error(`${lastOf.size} conversations for ${SENDERS} senders`);

    console.log(
      JSON.stringify({
        bench: 'email',
        mails: N,
        mailboxMb: round(bytes / MB),
        seconds: round(seconds),
        mailsPerSecond: round(N / seconds),
        conversations: lastOf.size,
        rssMb: { before: round(rssBefore), peak: round(rssPeak), end: round(rssEnd) },
        heapMb: { before: round(heapBefore), peak: round(heapPeak) },
      }),
    );
  } finally {
    if (instance) await instance.kill();
    await sql.end();
    await deleteRedisPrefix(redisPrefix).catch(() => {});
    await smtp.close();
    await dovecot.close();
    if (!process.env.BENCH_EMAIL_KEEP) await db.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
