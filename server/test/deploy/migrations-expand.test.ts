// Migrations expand, then contract (docs/deploy.md, "Upgrades"): during a rolling upgrade the version
// before runs on the migrated database, so a migration may add (tables, nullable columns, columns with
// a default, indexes) and relax (DROP NOT NULL), but a statement that breaks the previous version's
// reads or writes (a drop, a rename, a type change, a new NOT NULL without a default, a dropped
// default) is a contract step: it ships only in a release after the one whose code stopped using the
// column, and its file says so on a line `-- contract: <what no longer uses it, since which release>`.
// upgrade.test.ts runs the previous version on the migrated database to prove it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MIGRATIONS = fileURLToPath(new URL('../../../migrations/', import.meta.url));

const CONTRACT: { name: string; re: RegExp }[] = [
  { name: 'drops a table', re: /\bDROP\s+TABLE\b/i },
  { name: 'drops a column', re: /\bDROP\s+COLUMN\b/i },
  { name: 'renames', re: /\bRENAME\b/i },
  { name: 'changes a column type', re: /\bALTER\s+COLUMN\s+"?\w+"?\s+(SET\s+DATA\s+)?TYPE\b/i },
  { name: 'makes a column NOT NULL', re: /\bSET\s+NOT\s+NULL\b/i },
  { name: 'drops a default', re: /\bDROP\s+DEFAULT\b/i },
  { name: 'adds a NOT NULL column without a default', re: /\bADD\s+COLUMN\b(?![^;]*\bDEFAULT\b)[^;]*\bNOT\s+NULL\b/i },
];

/** The statements of a migration file, comments removed (drizzle-kit separates them with breakpoints). */
export function statements(sql: string): string[] {
  return sql
    .replace(/--> statement-breakpoint/g, ';')
    .replace(/--.*$/gm, '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** What in `sql` would break the previous version, unless the file is marked as a contract step. */
export function contractSteps(sql: string): string[] {
  if (/^--\s*contract:\s*\S/m.test(sql)) return [];
  return statements(sql).flatMap((s) => CONTRACT.filter((c) => c.re.test(s)).map((c) => `${c.name}: ${s.replace(/\s+/g, ' ').slice(0, 120)}`));
}

describe('migrations expand before they contract', () => {
  it('the rules tell an expand step from a contract step', () => {
    expect(contractSteps('ALTER TABLE "a" ADD COLUMN "b" text;')).toEqual([]);
    expect(contractSteps('ALTER TABLE "a" ADD COLUMN "b" integer DEFAULT 0 NOT NULL;')).toEqual([]);
    expect(contractSteps('ALTER TABLE "a" ALTER COLUMN "b" DROP NOT NULL;')).toEqual([]);
    expect(contractSteps('CREATE INDEX "a_b" ON "a" USING btree ("b");')).toEqual([]);
    for (const sql of [
      'ALTER TABLE "a" DROP COLUMN "b";',
      'DROP TABLE "a" CASCADE;',
      'ALTER TABLE "a" RENAME COLUMN "b" TO "c";',
      'ALTER TABLE "a" ALTER COLUMN "b" SET DATA TYPE integer;',
      'ALTER TABLE "a" ALTER COLUMN "b" SET NOT NULL;',
      'ALTER TABLE "a" ALTER COLUMN "b" DROP DEFAULT;',
      'ALTER TABLE "a" ADD COLUMN "b" text NOT NULL;',
    ]) {
      expect(contractSteps(sql), sql).toHaveLength(1);
      expect(contractSteps(`-- contract: nothing reads "b" since 0.4\n${sql}`), sql).toEqual([]);
    }
  });

  it('every migration after the first is an expand step or says it is a contract step', () => {
    const files = readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).sort();
    expect(files.length).toBeGreaterThan(1);
    const found = files.slice(1).flatMap((f) => contractSteps(readFileSync(path.join(MIGRATIONS, f), 'utf8')).map((s) => `${f}: ${s}`));
    expect(found).toEqual([]);
  });
});
