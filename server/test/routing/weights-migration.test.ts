// The weights migration converts a live installation in one step: loads counted in chats become
// hundredths of a slot, and every existing conversation and assignment weighs a whole slot, so the
// load still equals what the live assignments reserve. The migration is found by its name (`*_weights`),
// whatever number it was given.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers.js';

const MIGRATIONS = fileURLToPath(new URL('../../../migrations', import.meta.url));

let drop: (() => Promise<void>) | undefined;
let tmp: string | undefined;
afterAll(async () => {
  await drop?.();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the weights migration', () => {
  it('multiplies loads by 100 and gives every conversation and assignment the weight 100', async () => {
    const journal = JSON.parse(readFileSync(path.join(MIGRATIONS, 'meta/_journal.json'), 'utf8')) as { entries: { idx: number; tag: string }[] };
    const at = journal.entries.findIndex((e) => e.tag.endsWith('_weights'));
    expect(at).toBeGreaterThan(0);
    tmp = mkdtempSync(path.join(tmpdir(), 'hl-weights-'));
    cpSync(MIGRATIONS, tmp, { recursive: true });
    writeFileSync(path.join(tmp, 'meta/_journal.json'), JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));

    const db = await createTestDatabase();
    drop = db.drop;
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    try {
      await migrate(drizzle(sql), { migrationsFolder: tmp });
      const [s] = await sql<{ id: string }[]>`insert into staff_users (email, name, role, password_hash, capacity)
        values ('w@example.org', 'W', 'counsellor', 'x', 3) returning id`;
      const convs = await sql<{ id: string }[]>`insert into conversations (state, assigned_staff_id)
        values ('active', ${s!.id}), ('offered', null) returning id`;
      await sql`insert into assignments (conversation_id, staff_id, status) values (${convs[0]!.id}, ${s!.id}, 'accepted'), (${convs[1]!.id}, ${s!.id}, 'offered')`;
      await sql`insert into agent_states (staff_id, status, load) values (${s!.id}, 'available', 2)`;

      await migrate(drizzle(sql), { migrationsFolder: MIGRATIONS });
      const [a] = await sql<{ load: number }[]>`select load from agent_states where staff_id = ${s!.id}`;
      expect(a!.load).toBe(200);
      expect((await sql<{ weight: number }[]>`select weight from conversations`).map((r) => r.weight)).toEqual([100, 100]);
      expect((await sql<{ weight: number }[]>`select weight from assignments`).map((r) => r.weight)).toEqual([100, 100]);
    } finally {
      await sql.end();
    }
  }, 60_000);
});
