// Browser tests need the built console: `pnpm test` builds first; a single file run builds if missing.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export function ensureBuilt(pkg: 'agent-console' | 'web-widget', marker: string): void {
  if (existsSync(`${ROOT}/${pkg}/dist/${marker}`)) return;
  execSync(`pnpm --filter ./${pkg} run build`, { cwd: ROOT, stdio: 'ignore' });
}
