#!/usr/bin/env node
// Widget size: builds the widget when its dist is missing or older than its sources, then prints the
// gzipped size of the loader and of everything the iframe loads (HTML, JS, CSS), as its last line:
// {"bench":"widget","loader_gzip_bytes":N,"app_gzip_bytes":N}
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const widget = path.join(root, 'web-widget');
const dist = path.join(widget, 'dist');

function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}
const newest = (list) => Math.max(0, ...list.map((f) => statSync(f).mtimeMs));

const sources = [...files(path.join(widget, 'src')), ...files(path.join(root, 'shared/src')), path.join(widget, 'index.html'), path.join(widget, 'vite.config.ts'), path.join(widget, 'vite.loader.config.ts')].filter(existsSync);
const built = existsSync(path.join(dist, 'widget.js')) && existsSync(path.join(dist, 'app/index.html'));
if (!built || newest(sources) > newest(files(dist))) {
  console.error('building the widget…');
  execSync('pnpm run build', { cwd: widget, stdio: ['ignore', 'inherit', 'inherit'] });
}

const gz = (f) => gzipSync(readFileSync(f), { level: 9 }).length;
const loader = gz(path.join(dist, 'widget.js'));
const appFiles = files(path.join(dist, 'app')).filter((f) => /\.(html|js|css|svg|woff2?)$/.test(f));
const app = appFiles.reduce((sum, f) => sum + gz(f), 0);
for (const f of appFiles) console.error(`  ${path.relative(dist, f)}: ${gz(f)} B gzipped`);
console.log(JSON.stringify({ bench: 'widget', loader_gzip_bytes: loader, app_gzip_bytes: app }));
