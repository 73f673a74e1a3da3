// docs/protocol.md documents every socket event declared in shared/ (the contract and its doc agree).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const read = (p: string) => readFileSync(fileURLToPath(new URL(p, import.meta.url)), 'utf8');

describe('docs/protocol.md', () => {
  it('documents every event of the typed event maps', () => {
    // The event maps live in shared/src/protocol/, one file per namespace.
    const dir = '../../../shared/src/protocol/';
    const src = readdirSync(fileURLToPath(new URL(dir, import.meta.url)))
      .map((f) => read(dir + f))
      .join('\n');
    const doc = read('../../../docs/protocol.md');
    const events = new Set<string>();
    for (const block of src.matchAll(/export interface \w+Events \{([\s\S]*?)\n\}/g)) {
      for (const m of block[1]!.matchAll(/^\s+'?([a-z][a-z:-]*)'?\??: \(/gm)) events.add(m[1]!);
    }
    expect(events.size).toBeGreaterThan(20);
    const missing = [...events].filter((e) => !doc.includes(`\`${e}\``));
    expect(missing).toEqual([]);
  });
});
