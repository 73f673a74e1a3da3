// The benchmarks' saturation search: what rate it reports for a system whose true limit is known, and
// that a single failed step (a stall) is measured again before it counts.
import { describe, expect, it } from 'vitest';
import { SaturationSearch } from '../../bench/search.js';

/** Runs a search against a system that passes every rate up to `limit`, failing the steps listed in `stalls` once. */
function run(limit: number, stalls: number[] = [], opts = {}): { best: number | null; steps: number[] } {
  const search = new SaturationSearch(opts);
  const steps: number[] = [];
  const stalled = new Set<number>();
  for (let rate = search.next(); rate !== null; rate = search.next()) {
    steps.push(rate);
    const stall = stalls.includes(rate) && !stalled.has(rate);
    if (stall) stalled.add(rate);
    search.report(rate <= limit && !stall);
    if (steps.length > 100) throw new Error('the search does not end');
  }
  return { best: search.best, steps };
}

describe('saturation search', () => {
  it('doubles, then bisects to within a tenth of the true limit', () => {
    const r = run(7000);
    expect(r.steps.slice(0, 6)).toEqual([250, 500, 1000, 2000, 4000, 8000]);
    expect(r.best).toBeGreaterThanOrEqual(6000);
    expect(r.best).toBeLessThanOrEqual(7000);
  });
  it('measures a failed step once more, so that one stall does not end the search', () => {
    const r = run(7000, [1000]);
    expect(r.steps.filter((s) => s === 1000)).toHaveLength(2);
    expect(r.best).toBeGreaterThanOrEqual(6000);
  });
  it('reports nothing for a system that passes no step, and stops', () => {
    expect(run(0).best).toBeNull();
  });
  it('runs just the fixed rates when told', () => {
    const r = run(3000, [], { fixed: [1000, 2000, 4000] });
    expect(r.steps).toEqual([1000, 2000, 4000]);
    expect(r.best).toBe(2000);
  });
});
