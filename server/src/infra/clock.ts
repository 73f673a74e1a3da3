// The time routing, rate limits and sessions read. Production reads the system clock; a test gives an
// offset clock and moves it forward to cross a window (a rate-limit period, an offer deadline) at once
// instead of waiting for it. Postgres's own now() keeps running on wall time, so a test clock only
// ever moves forward: deadlines the database wrote are then simply "past" sooner.
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock ahead of the system's by an offset that only grows. */
export interface OffsetClock extends Clock {
  advance(ms: number): void;
}
export function offsetClock(): OffsetClock {
  let offset = 0;
  return {
    now: () => Date.now() + offset,
    advance(ms: number) {
      if (ms < 0) throw new RangeError('a clock only moves forward');
      offset += ms;
    },
  };
}
