// The build fails past the size budget: the plugin errors when the gzipped total is over it.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { gzipBytes, sizeBudget } from '../build/budget.js';

type Hook = (this: unknown, opts: unknown, bundle: Record<string, unknown>) => void;

function run(max: number, files: Record<string, string | Uint8Array>): void {
  const plugin = sizeBudget('test', max);
  const bundle = Object.fromEntries(
    Object.entries(files).map(([fileName, data]) => [fileName, typeof data === 'string' ? { type: 'chunk', fileName, code: data } : { type: 'asset', fileName, source: data }]),
  );
  const ctx = {
    error(m: string): never {
      throw new Error(m);
    },
    info() {},
  };
  (plugin.writeBundle as unknown as Hook).call(ctx, {}, bundle);
}

describe('size budget plugin', () => {
  it('passes under the budget and fails over it, counting every file gzipped', () => {
    const js = 'console.log(1);'.repeat(100);
    const noise = randomBytes(4000);
    expect(() => run(10_000, { 'a.js': js, 'b.css': noise })).not.toThrow();
    expect(() => run(3_000, { 'a.js': js, 'b.css': noise })).toThrow(/size budget exceeded/);
    expect(gzipBytes(noise)).toBeGreaterThan(3_000);
    // Source maps are not downloaded by browsers and do not count.
    expect(() => run(1_000, { 'a.js': js, 'a.js.map': noise })).not.toThrow();
  });
});
