// The size budget is part of the build: a bundle past it fails `vite build`, so nobody ships a
// heavier widget by accident. Sizes are measured gzipped, as browsers download them.
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

export function gzipBytes(data: string | Uint8Array): number {
  return gzipSync(typeof data === 'string' ? Buffer.from(data) : data, { level: 9 }).length;
}

/** Fails the build when everything it wrote (JS, CSS, HTML) weighs more than `maxBytes` gzipped. */
export function sizeBudget(name: string, maxBytes: number): Plugin {
  return {
    name: 'helpline-size-budget',
    apply: 'build',
    enforce: 'post',
    writeBundle(_opts, bundle) {
      let total = 0;
      for (const out of Object.values(bundle)) {
        if (out.fileName.endsWith('.map')) continue;
        total += gzipBytes(out.type === 'chunk' ? out.code : out.source);
      }
      const line = `${name}: ${total} bytes gzipped (budget ${maxBytes})`;
      if (total > maxBytes) this.error(`size budget exceeded — ${line}`);
      this.info?.(line);
    },
  };
}
