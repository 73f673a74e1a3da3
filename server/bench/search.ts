// The search for a system's highest sustained rate, one step at a time, so that several systems can be
// searched in turn, step by step (bench/messages.ts): each rate is then measured on every system within
// seconds of the others, on the same machine as it is at that moment, rather than minutes apart.
// Rates double from `start` until a step fails twice in a row (on a shared machine one stall of the OS
// or a GC can fail any step; the same rule for every system), then up to `bisections` halvings of the
// interval between the last pass and the fail, while it is wider than a tenth of the pass.
export interface SearchOptions {
  start?: number;
  max?: number;
  bisections?: number;
  /** Just these rates, once each (for profiling a steady state). */
  fixed?: number[];
}

export class SaturationSearch {
  /** The highest rate that passed so far. */
  best: number | null = null;
  private phase: 'double' | 'bisect' | 'fixed' | 'done';
  private rate: number;
  private retried = false;
  private lo = 0;
  private hi = 0;
  private halvings = 0;
  private readonly max: number;
  private readonly bisections: number;
  private readonly fixed: number[];

  constructor(opts: SearchOptions = {}) {
    this.max = opts.max ?? 64_000;
    this.bisections = opts.bisections ?? 3;
    this.fixed = [...(opts.fixed ?? [])];
    this.phase = this.fixed.length ? 'fixed' : 'double';
    this.rate = this.fixed.length ? this.fixed[0]! : (opts.start ?? 250);
  }

  /** The next rate to measure, or null once the search is over. */
  next(): number | null {
    if (this.phase === 'bisect' && (this.halvings >= this.bisections || this.hi - this.lo <= this.lo * 0.1)) this.phase = 'done';
    if (this.phase === 'done') return null;
    if (this.phase === 'bisect' && !this.retried) this.rate = Math.round((this.lo + this.hi) / 2);
    return this.rate;
  }

  /** The outcome of the step at the rate next() gave. */
  report(pass: boolean): void {
    const rate = this.rate;
    if (pass && (this.best === null || rate > this.best)) this.best = rate;
    if (this.phase === 'fixed') {
      this.fixed.shift();
      if (this.fixed.length) this.rate = this.fixed[0]!;
      else this.phase = 'done';
      return;
    }
    if (!pass && !this.retried) {
      this.retried = true; // measured once more
      return;
    }
    this.retried = false;
    if (this.phase === 'double') {
      if (pass) {
        this.rate *= 2;
        if (this.rate > this.max) this.phase = 'done';
      } else {
        this.phase = 'bisect';
        this.lo = this.best ?? 0;
        this.hi = rate;
      }
      return;
    }
    this.halvings++;
    if (pass) this.lo = rate;
    else this.hi = rate;
  }
}
