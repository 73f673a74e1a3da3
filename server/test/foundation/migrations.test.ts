// The drizzle schema and the SQL migrations must agree: generating from the schema against the
// committed migrations must find nothing to do.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SERVER = fileURLToPath(new URL('../..', import.meta.url));
const MIGRATIONS = fileURLToPath(new URL('../../../migrations', import.meta.url));

describe('schema and migrations', () => {
  it('has no schema change missing from migrations/', () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'hl-mig-'));
    try {
      cpSync(MIGRATIONS, tmp, { recursive: true });
      const before = readdirSync(tmp).filter((f) => f.endsWith('.sql'));
      const out = execFileSync(
        path.join(SERVER, 'node_modules/.bin/drizzle-kit'),
        ['generate', '--dialect', 'postgresql', '--schema', './src/db/schema.ts', '--out', tmp],
        { cwd: SERVER, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const after = readdirSync(tmp).filter((f) => f.endsWith('.sql'));
      expect(after, out).toEqual(before);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 60_000);
});
