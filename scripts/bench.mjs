#!/usr/bin/env node
// `pnpm bench <name> [args...]`: runs scripts/bench/<name>.mjs when it exists, else server/bench/<name>.ts
// through tsx (server benchmarks need the server's TypeScript and dependencies).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const [name, ...args] = process.argv.slice(2);

function available() {
  const list = (dir, ext) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(ext)).map((f) => f.slice(0, -ext.length)) : []);
  return [...new Set([...list(path.join(root, 'scripts/bench'), '.mjs'), ...list(path.join(root, 'server/bench'), '.ts')])].sort();
}

if (!name || !/^[\w-]+$/.test(name)) {
  console.error(`usage: pnpm bench <name>   (available: ${available().join(', ') || 'none'})`);
  process.exit(2);
}

const script = path.join(root, 'scripts/bench', `${name}.mjs`);
const serverBench = path.join(root, 'server/bench', `${name}.ts`);
let res;
if (existsSync(script)) {
  res = spawnSync(process.execPath, [script, ...args], { stdio: 'inherit', cwd: root });
} else if (existsSync(serverBench)) {
  // tsx is a dependency of the server package; run it from there so imports resolve as in the server.
  const tsx = path.join(root, 'server/node_modules/.bin/tsx');
  res = spawnSync(existsSync(tsx) ? tsx : 'tsx', [serverBench, ...args], { stdio: 'inherit', cwd: path.join(root, 'server') });
} else {
  console.error(`no benchmark named "${name}" (available: ${available().join(', ') || 'none'})`);
  process.exit(2);
}
if (res.error) {
  console.error(res.error.message);
  process.exit(1);
}
process.exit(res.status ?? 1);
