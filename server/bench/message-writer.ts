// `pnpm bench message-writer`: the database part of the message path alone, one transaction per
// message (the previous send()) against the group-commit writer, with the same number of concurrent
// senders on a fresh database at the server's default durability. Shows what group commit buys
// without the sockets, Redis and CPU of the whole platform. The last line is one JSON object.
import { eq, sql } from 'drizzle-orm';
import { createTestDatabase } from '../test/helpers.js';
import { openDatabase, type Db } from '../src/db/client.js';
import { conversations, messages, visitors } from '../src/conversations/tables.js';
import { createMessageWriter } from '../src/conversations/message-writer.js';

const CONVERSATIONS = 1000;
const SENDERS = Number(process.env.BENCH_SENDERS ?? 64);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

async function perMessage(db: Db, conversationId: string, clientMsgId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [counter] = await tx.update(conversations).set({ lastSeq: sql`${conversations.lastSeq} + 1` }).where(eq(conversations.id, conversationId)).returning({ seq: conversations.lastSeq });
    await tx.insert(messages).values({ conversationId, seq: counter!.seq, clientMsgId, sender: 'visitor', body: 'benchmark message' }).returning();
    await tx.select({ state: conversations.state }).from(conversations).where(eq(conversations.id, conversationId));
  });
}

async function drive(name: string, ids: string[], send: (conversationId: string, clientMsgId: string) => Promise<unknown>) {
  const lat: number[] = [];
  let n = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: SENDERS }, async (_, w) => {
      while (performance.now() < end) {
        const i = n++;
        const t = performance.now();
        await send(ids[(i * 7 + w) % ids.length]!, `${name}-${i}`);
        lat.push(performance.now() - t);
      }
    }),
  );
  lat.sort((a, b) => a - b);
  const r = { per_s: Math.round(lat.length / SECONDS), p50_ms: Math.round(lat[Math.floor(lat.length / 2)]! * 10) / 10, p99_ms: Math.round(lat[Math.floor(lat.length * 0.99)]! * 10) / 10 };
  process.stderr.write(`${name}: ${JSON.stringify(r)}\n`);
  return r;
}

async function main(): Promise<void> {
  const tdb = await createTestDatabase();
  const database = await openDatabase({ url: tdb.url, poolSize: 20 });
  try {
    const db = database.db;
    const [v] = await db.insert(visitors).values({ tokenHash: `bench-${Date.now()}` }).returning();
    const rows = await db
      .insert(conversations)
      .values(Array.from({ length: CONVERSATIONS }, () => ({ visitorId: v!.id, state: 'active' as const })))
      .returning({ id: conversations.id });
    const ids = rows.map((r) => r.id);
    const writer = createMessageWriter(database.query);
    const old = await drive('per-message', ids, (c, m) => perMessage(db, c, m));
    const grouped = await drive('group-commit', ids, (c, m) =>
      writer.write({ conversationId: c, clientMsgId: m, sender: { type: 'visitor', visitorId: v!.id }, body: 'benchmark message', allowed: ['active'] }),
    );
    const [sc] = (await db.execute(sql`select current_setting('synchronous_commit') as s, current_setting('fsync') as f`)) as unknown as { s: string; f: string }[];
    console.log(JSON.stringify({ bench: 'message-writer', senders: SENDERS, synchronous_commit: sc?.s, fsync: sc?.f, per_message_per_s: old.per_s, per_message_p99_ms: old.p99_ms, group_commit_per_s: grouped.per_s, group_commit_p99_ms: grouped.p99_ms }));
  } finally {
    await database.close();
    await tdb.drop();
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
