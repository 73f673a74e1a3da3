import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeSettings } from '../../src/config.js';

const README = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

describe('README', () => {
  it('documents every setting (regenerate with `pnpm docs:settings`)', () => {
    const missing = describeSettings().filter((s) => !README.includes(`| \`${s.name}\` |`)).map((s) => s.name);
    expect(missing).toEqual([]);
  });
  it('shows the commands that run and test the platform', () => {
    for (const cmd of ['pnpm install', 'pnpm start', 'pnpm test']) expect(README).toContain(cmd);
  });
});
