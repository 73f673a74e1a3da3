// Regenerates the settings table of README.md from the configuration schema (`pnpm docs:settings`).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeSettings } from '../server/src/config.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const rows = describeSettings().map((r) => `| \`${r.name}\` | ${r.meaning.replace(/\|/g, '\\|')} | ${r.default ? '`' + r.default + '`' : '—'} |`);
const table = ['| Variable | Meaning | Default |', '|---|---|---|', ...rows].join('\n');
const text = readFileSync(README, 'utf8');
const next = text.replace(/<!-- settings:start -->[\s\S]*<!-- settings:end -->/, `<!-- settings:start -->\n${table}\n<!-- settings:end -->`);
writeFileSync(README, next);
console.log(`README settings table: ${rows.length} settings`);
