// The platform as it was before its latest migration: the parent of the last commit that added a
// migration, checked out with `git worktree` into a temporary folder and installed from the local pnpm
// store (offline first). The upgrade test runs its server beside the current one.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const JOURNAL = 'migrations/meta/_journal.json';

export interface PreviousVersion {
  /** The commit checked out (the parent of `latestMigrationCommit`). */
  commit: string;
  latestMigrationCommit: string;
  /** Migration tags the previous version knows, and the ones only the current one has. */
  knownMigrations: string[];
  newMigrations: string[];
  serverDir: string;
  remove(): void;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

const tags = (journal: string): string[] => (JSON.parse(journal) as { entries: { tag: string }[] }).entries.map((e) => e.tag);

export function checkOutPreviousVersion(): PreviousVersion {
  const root = git(HERE, 'rev-parse', '--show-toplevel');
  if (git(root, 'rev-parse', '--is-shallow-repository') === 'true') {
    throw new Error('the upgrade test needs the history: this clone is shallow (git fetch --unshallow)');
  }
  const latestMigrationCommit = git(root, 'log', '-1', '--format=%H', '--', JOURNAL);
  const commit = git(root, 'rev-parse', `${latestMigrationCommit}^`);
  const current = tags(readFileSync(path.join(root, JOURNAL), 'utf8'));
  const known = tags(git(root, 'show', `${commit}:${JOURNAL}`));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hl-previous-'));
  const remove = () => {
    try {
      git(root, 'worktree', 'remove', '--force', dir);
    } catch {
      rmSync(dir, { recursive: true, force: true });
      git(root, 'worktree', 'prune');
    }
  };
  try {
    git(root, 'worktree', 'add', '--detach', dir, commit);
    const install = (extra: string) => execFileSync('pnpm', ['install', '--frozen-lockfile', extra], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
    try {
      install('--offline');
    } catch {
      install('--prefer-offline');
    }
    const serverDir = path.join(dir, 'server');
    if (!existsSync(path.join(serverDir, 'node_modules/.bin/tsx'))) throw new Error(`the previous version's install left no tsx in ${serverDir}`);
    return { commit, latestMigrationCommit, knownMigrations: known, newMigrations: current.filter((t) => !known.includes(t)), serverDir, remove };
  } catch (err) {
    remove();
    throw err;
  }
}
