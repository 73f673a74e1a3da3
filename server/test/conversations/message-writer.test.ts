// The group-commit writer on its own, on both drivers (Postgres and the embedded PGlite): many
// concurrent senders across few conversations, resends inside and across batches, foreign senders and
// closed conversations in the same batch as good messages. Checked on what is stored, not on timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asc, eq, sql } from 'drizzle-orm';
import { HOT_CONNECTION_SETTINGS, openDatabase, type Database } from '../../src/db/client.js';
import { conversations, messages, visitors } from '../../src/conversations/tables.js';
import { staffUsers } from '../../src/auth/tables.js';
import { createMessageWriter, WRITE_BATCH } from '../../src/conversations/message-writer.js';
import { AppError } from '../../src/http/errors.js';
import { claimDataDir } from '../../src/infra/data-dir.js';
import { createTestDatabase } from '../helpers.js';

const drivers: [string, () => Promise<{ database: Database; cleanup(): Promise<void> }>][] = [
  [
    'postgres',
    async () => {
      const tdb = await createTestDatabase();
      const database = await openDatabase({ url: tdb.url, poolSize: 8 });
      return { database, cleanup: async () => (await database.close(), await tdb.drop()) };
    },
  ],
  [
    'pglite',
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'hl-writer-'));
      const owner = await claimDataDir(dir);
      const database = await openDatabase({ owner });
      return { database, cleanup: async () => (await database.close(), await owner.release(), rmSync(dir, { recursive: true, force: true })) };
    },
  ],
];

describe.each(drivers)('message writer on %s', (_name, open) => {
  let database: Database;
  let cleanup: () => Promise<void>;
  let visitorA: string;
  let visitorB: string;
  let staffId: string;
  let otherStaffId: string;

  beforeAll(async () => {
    ({ database, cleanup } = await open());
    const db = database.db;
    const [a, b] = await db.insert(visitors).values([{ tokenHash: 'writer-a' }, { tokenHash: 'writer-b' }]).returning();
    visitorA = a!.id;
    visitorB = b!.id;
    const staff = await db
      .insert(staffUsers)
      .values([
        { email: 'w1@test.local', name: 'One', role: 'counsellor', passwordHash: 'x' },
        { email: 'w2@test.local', name: 'Two', role: 'counsellor', passwordHash: 'x' },
      ] as never)
      .returning();
    staffId = staff[0]!.id;
    otherStaffId = staff[1]!.id;
  }, 60_000);
  afterAll(async () => cleanup?.());

  async function conversation(state: 'waiting' | 'active' | 'closed', visitorId = visitorA): Promise<string> {
    const [c] = await database.db.insert(conversations).values({ visitorId, state, assignedStaffId: state === 'active' ? staffId : null }).returning();
    return c!.id;
  }

  it('numbers concurrent messages gaplessly per conversation and answers resends with the stored message', async () => {
    const writer = createMessageWriter(database.query, { concurrency: 3, maxBatch: 17 });
    const ids = [await conversation('active'), await conversation('active'), await conversation('active')];
    const visitor = { type: 'visitor' as const, visitorId: visitorA };
    const staff = { type: 'staff' as const, staffId, supervisor: false };
    const sends = Array.from({ length: 300 }, (_, i) =>
      writer.write({ conversationId: ids[i % 3]!, clientMsgId: `m${i}`, sender: i % 2 ? staff : visitor, body: `body ${i}`, allowed: ['active'] }),
    );
    // The same ids again, concurrently: answered, never stored twice.
    const resends = Array.from({ length: 60 }, (_, i) =>
      writer.write({ conversationId: ids[i % 3]!, clientMsgId: `m${i}`, sender: i % 2 ? staff : visitor, body: `body ${i}`, allowed: ['active'] }),
    );
    const first = await Promise.all(sends);
    const again = await Promise.all(resends);
    // Each pair stored once: one of the two wrote it (batches commit in any order), the other was told
    // it exists; both got the same message.
    for (let i = 0; i < 60; i++) {
      expect(again[i]!.message.id).toBe(first[i]!.message.id);
      expect([first[i]!.existing, again[i]!.existing].filter(Boolean)).toHaveLength(1);
    }
    expect(first.slice(60).filter((r) => r.existing)).toHaveLength(0);
    for (const id of ids) {
      const rows = await database.db.select().from(messages).where(eq(messages.conversationId, id)).orderBy(asc(messages.seq));
      expect(rows.length).toBe(100);
      expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      const [c] = await database.db.select().from(conversations).where(eq(conversations.id, id));
      expect(c!.lastSeq).toBe(100);
    }
    const r7 = first[7]!;
    expect(r7.message.sender).toBe('counsellor');
    expect(r7.message.senderStaffId).toBe(staffId);
    expect(r7.message.body).toBe('body 7');
    expect(r7.message.createdAt).toBeInstanceOf(Date);
    expect(r7.conversation.assignedStaffId).toBe(staffId);
  });

  it('refuses per request, under the lock, without failing the rest of the batch', async () => {
    const writer = createMessageWriter(database.query, { concurrency: 1 });
    const active = await conversation('active');
    const closed = await conversation('closed');
    const waiting = await conversation('waiting');
    const theirs = await conversation('active', visitorB);
    const visitor = { type: 'visitor' as const, visitorId: visitorA };
    const results = await Promise.allSettled([
      writer.write({ conversationId: active, clientMsgId: 'ok-1', sender: visitor, body: 'a', allowed: ['waiting', 'offered', 'active'] }),
      writer.write({ conversationId: closed, clientMsgId: 'c-1', sender: visitor, body: 'b', allowed: ['waiting', 'offered', 'active'] }),
      writer.write({ conversationId: theirs, clientMsgId: 't-1', sender: visitor, body: 'c', allowed: ['waiting', 'offered', 'active'] }),
      writer.write({ conversationId: active, clientMsgId: 's-1', sender: { type: 'staff', staffId: otherStaffId, supervisor: false }, body: 'd', allowed: ['active'] }),
      writer.write({ conversationId: active, clientMsgId: 's-2', sender: { type: 'staff', staffId: otherStaffId, supervisor: true }, body: 'e', allowed: ['active'] }),
      writer.write({ conversationId: waiting, clientMsgId: 'w-1', sender: { type: 'staff', staffId, supervisor: false }, body: 'f', allowed: ['active'] }),
      writer.write({ conversationId: waiting, clientMsgId: 'w-2', sender: visitor, body: 'g', allowed: ['waiting', 'offered', 'active'] }),
      writer.write({ conversationId: '00000000-0000-4000-8000-000000000000', clientMsgId: 'x-1', sender: visitor, body: 'h', allowed: ['active'] }),
      writer.write({ conversationId: active, clientMsgId: 'ok-1', sender: visitor, body: 'a', allowed: ['waiting', 'offered', 'active'] }),
    ]);
    const code = (r: PromiseSettledResult<unknown>) => (r.status === 'fulfilled' ? 'ok' : r.reason instanceof AppError ? r.reason.code : String(r.reason));
    // Authorisation comes first: a counsellor not assigned to a waiting conversation is refused as such.
    expect(results.map(code)).toEqual(['ok', 'invalid_state', 'forbidden', 'forbidden', 'ok', 'forbidden', 'ok', 'not_found', 'ok']);
    const ok1 = results[0] as PromiseFulfilledResult<{ message: { id: string; seq: number }; existing: boolean }>;
    const repeat = results[8] as PromiseFulfilledResult<{ message: { id: string }; existing: boolean }>;
    expect(repeat.value.message.id).toBe(ok1.value.message.id);
    expect(repeat.value.existing).toBe(true);
    const stored = await database.db.select().from(messages).where(eq(messages.conversationId, active)).orderBy(asc(messages.seq));
    expect(stored.map((m) => [m.seq, m.clientMsgId])).toEqual([
      [1, 'ok-1'],
      [2, 's-2'],
    ]);
    expect(await database.db.select().from(messages).where(eq(messages.conversationId, closed))).toEqual([]);
  });
});

describe('message writer statement', () => {
  // A generic plan made while the tables were empty once scanned them on every batch when they were
  // large (seen: 11 ms per batch and a saturated Postgres at 1,000 messages/s). The hot path's
  // connections rule scans out, so even that plan probes indexes.
  it('keeps index lookups in the plan made on empty tables, once the tables are large', async () => {
    const tdb = await createTestDatabase();
    const database = await openDatabase({ url: tdb.url, poolSize: 1 });
    const { default: postgres } = await import('postgres');
    const hot = postgres(tdb.url, { max: 1, onnotice: () => {}, connection: { ...HOT_CONNECTION_SETTINGS } });
    try {
      await hot.unsafe(`prepare writer_plan(int[], uuid[], text[], text[], uuid[], uuid[], text[], text[], text[]) as ${WRITE_BATCH}`);
      for (let i = 0; i < 8; i++) await hot.unsafe(`execute writer_plan('{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')`);
      await database.query(`insert into visitors (token_hash) values ('plan')`, []);
      await database.query(`insert into conversations (visitor_id, state) select (select id from visitors limit 1), 'active' from generate_series(1, 5000)`, []);
      await database.query(
        `insert into messages (conversation_id, seq, client_msg_id, sender, body) select c.id, g, 'm' || g, 'visitor', 'x' from conversations c, generate_series(1, 8) g`,
        [],
      );
      const [c] = await database.query<{ id: string; visitor_id: string }>(`select id, visitor_id from conversations limit 1`, []);
      const plan = await hot.unsafe(
        `explain execute writer_plan('{0}', '{${c!.id}}', '{new-1}', '{visitor}', '{NULL}', '{${c!.visitor_id}}', '{f}', '{active}', '{hi}')`,
      );
      const text = plan.map((r) => Object.values(r)[0]).join('\n');
      expect(text).toMatch(/Index Scan using messages_conversation_client_uq/);
      expect(text).not.toMatch(/Seq Scan on (messages|conversations)/);
      // A lookup repeated per row of the batch must not also compare with the batch's whole array
      // (quadratic: a batch of 500 once cost 2.5 times as much per message as a batch of 50).
      const perRowWithArray = text.split('\n').filter((l) => /Index Cond: .*= \w+\.\w+\b.*ANY|Index Cond: .*ANY.*= \w+\.\w+\b/.test(l));
      expect(perRowWithArray).toEqual([]);
    } finally {
      await hot.end();
      await database.close();
      await tdb.drop();
    }
  });
  // Messages, conversations and accepts are records: their commits wait for the WAL flush. Only the
  // dispatch loop's offers (a decision the next pass can make again) do not.
  it('commits messages and every other write synchronously; only offers skip the flush wait', async () => {
    const tdb = await createTestDatabase();
    const database = await openDatabase({ url: tdb.url, poolSize: 2 });
    try {
      const setting = (rows: Record<string, unknown>[]) => String(Object.values(rows[0]!)[0]);
      const writers = await Promise.all(Array.from({ length: 8 }, () => database.query<Record<string, unknown>>('show synchronous_commit', [])));
      expect(new Set(writers.map(setting))).toEqual(new Set(['on']));
      const shared = await database.db.execute(sql`show synchronous_commit`);
      expect(setting(shared as unknown as Record<string, unknown>[])).toBe('on');
      expect(setting(await database.dispatchQuery<Record<string, unknown>>('show synchronous_commit', []))).toBe('off');
    } finally {
      await database.close();
      await tdb.drop();
    }
  });
});
