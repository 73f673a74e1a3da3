// The time routing, rate limits and sessions decide by: whether a period has passed (a disconnect
// grace, an offer deadline in the sweep, a rate-limit window, a session's end). Production reads the
// system clock; a test gives an offset clock and moves it forward to cross a window at once instead of
// waiting for it. What is stored in Postgres stays wall time, because Postgres compares it with its
// own now() (the offer statement, wrap-up ends): a clock ahead only makes stored deadlines "past"
// sooner, never moves them.
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
