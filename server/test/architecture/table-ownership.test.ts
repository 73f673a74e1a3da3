// Each feature owns its tables (server/src/<feature>/tables.ts): the other features call its service.
// This fails when a feature's code imports another feature's tables, or names one of them in SQL it
// writes itself. Table files may reference other tables for their foreign keys; db/schema.ts
// re-exports every table for drizzle.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/**
 * The only exceptions, each a named single-statement hot path or read model whose one statement must
 * read several owners' rows at once (docs/architecture.md, "Table ownership"). Keep it tiny.
 */
export const ALLOWED: Record<string, { tables: string[]; why: string }> = {
  'routing/dispatch.ts': {
    tables: ['conversations', 'staff_users'],
    why: 'the atomic offer: one statement picks the waiting conversation and a free counsellor, locks both, records the offer and moves the conversation (invariant 2)',
  },
  'routing/board-queries.ts': {
    tables: ['conversations', 'staff_users'],
    why: "the supervisors' board: one consistent snapshot of queue, counsellors and live chats per refresh (at most once a second)",
  },
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const rel = (p: string) => path.relative(SRC, p).split(path.sep).join('/');
const featureOf = (p: string) => rel(p).split('/')[0]!;

/** Table name → owning feature, from each feature's tables.ts. */
function owners(): Map<string, string> {
  const m = new Map<string, string>();
  for (const f of files(SRC).filter((p) => p.endsWith('/tables.ts'))) {
    for (const t of readFileSync(f, 'utf8').matchAll(/pgTable\(\s*'([a-z_]+)'/g)) m.set(t[1]!, featureOf(f));
  }
  return m;
}

/** Violations in one source text of a feature (exported for the test of the test below). */
export function violations(file: string, feature: string, text: string, tableOwners: Map<string, string>): string[] {
  const out: string[] = [];
  const allowed = ALLOWED[file]?.tables ?? [];
  for (const m of text.matchAll(/from '\.\.\/([a-z-]+)\/tables\.js'/g)) {
    // An allowed statement may need the owner's column names (to read its rows back).
    if (m[1] !== feature && !allowed.some((t) => tableOwners.get(t) === m[1])) out.push(`${file} imports ${m[1]}/tables.js`);
  }
  // SQL written by hand: a table named after from/join/update/into (comments left out).
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  for (const m of code.matchAll(/\b(?:from|join|update|into)\s+([a-z_]+)\b/g)) {
    const owner = tableOwners.get(m[1]!);
    if (owner && owner !== feature && !allowed.includes(m[1]!)) out.push(`${file} names ${owner}'s table ${m[1]} in SQL`);
  }
  return out;
}

describe('table ownership', () => {
  const tableOwners = owners();

  it('knows the tables and their owners', () => {
    expect(tableOwners.get('conversations')).toBe('conversations');
    expect(tableOwners.get('conversation_notes')).toBe('notes');
    expect(tableOwners.get('staff_users')).toBe('auth');
    expect(tableOwners.size).toBeGreaterThan(15);
  });

  it('no feature imports or queries another feature’s tables (but the named hot paths)', () => {
    const found: string[] = [];
    for (const f of files(SRC)) {
      const file = rel(f);
      if (file.endsWith('/tables.ts') || file === 'db/schema.ts' || !file.includes('/')) continue;
      found.push(...violations(file, featureOf(f), readFileSync(f, 'utf8'), tableOwners));
    }
    expect(found).toEqual([]);
  });

  it('catches an import of another feature’s tables and a hand-written query of one', () => {
    const code = "import { staffUsers } from '../auth/tables.js';\nconst q = sql`select name from staff_users where id = ${id}`;";
    expect(violations('notes/service.ts', 'notes', code, tableOwners)).toEqual(['notes/service.ts imports auth/tables.js', "notes/service.ts names auth's table staff_users in SQL"]);
  });

  it('keeps the allow-list tiny and justified', () => {
    expect(Object.keys(ALLOWED).length).toBeLessThanOrEqual(2);
    for (const a of Object.values(ALLOWED)) expect(a.why.length).toBeGreaterThan(40);
  });
});
