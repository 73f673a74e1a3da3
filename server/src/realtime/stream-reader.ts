// The adapter's reader: follows the Redis stream from the last entry it read, and says when entries it
// had not read yet were trimmed away meanwhile (the stream keeps about `maxLen` entries: a reader that
// was cut off, stalled or fell behind for longer than that has a hole it cannot fill).
//
// Checking for a hole costs an XINFO, so it is done only when one may have opened: after a failed XREAD
// (connection lost), after an XREAD that took much longer than its block time (a connection that hung,
// as in a network partition), and after a full page (the reader is behind). The XINFO goes in the same
// pipeline as the next XREAD, so nothing is trimmed between the check and the read in practice.
// Redis 7 reports the highest trimmed id (`max-deleted-entry-id`); before 7 the first entry stands in
// for it (which may see a hole where there is none: the cost is a needless resync, never a silent loss).
import type { Redis } from 'ioredis';

/** Compares two stream ids ("ms-seq"). */
export function compareIds(a: string, b: string): number {
  const i = a.indexOf('-');
  const j = b.indexOf('-');
  const d = Number(a.slice(0, i)) - Number(b.slice(0, j));
  return d !== 0 ? d : Number(a.slice(i + 1)) - Number(b.slice(j + 1));
}

export const STREAM_ID = /^\d+-\d+$/;

/** The stream's last id now ('0-0' when it is empty or missing): a reader starting there misses nothing appended later. */
export async function lastId(redis: Redis, stream: string): Promise<string> {
  const [last] = await redis.xrevrange(stream, '+', '-', 'COUNT', 1);
  return last?.[0] ?? '0-0';
}

export interface ReaderOptions {
  stream: string;
  readCount: number;
  blockMs: number;
  /** Where to start (a promise for the stream's last id, asked on the publishing connection before any append). */
  start: Promise<string>;
  onEntry(id: string, fields: Buffer[]): void;
  /** An entry passed over by skipTo. */
  onSkip(id: string, fields: Buffer[]): void;
  /** Entries after `after` were trimmed unread. */
  onHole(after: string): void;
}

export interface StreamReader {
  /** The last entry handed to onEntry (or skipped): every entry up to it has been delivered. */
  position(): string;
  /** Resolves true once position() ≥ id, false after timeoutMs. */
  reached(id: string, timeoutMs: number): Promise<boolean>;
  /** Skips (hands to nobody) every entry up to `id`. */
  skipTo(id: string): void;
  stop(): void;
}

/** Whether XINFO STREAM's answer says entries after `offset` were removed. */
function holeAfter(err: Error | null, info: unknown, offset: string): boolean {
  if (err) return /no such key/i.test(err.message) && offset !== '0-0';
  const fields = info as unknown[];
  const at = (name: string) => fields[fields.indexOf(name) + 1];
  const maxDeleted = at('max-deleted-entry-id');
  if (typeof maxDeleted === 'string') return compareIds(maxDeleted, offset) > 0;
  const first = at('first-entry') as [string, unknown] | null | undefined;
  return !!first && compareIds(first[0], offset) > 0 && offset !== '0-0';
}

export function readStream(reader: Redis, opts: ReaderOptions): StreamReader {
  let offset = '0-0';
  let floor = '0-0';
  let started = false;
  let closed = false;
  let waiters: { id: string; resolve(ok: boolean): void }[] = [];
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const position = () => (compareIds(offset, floor) >= 0 ? offset : floor);

  function advanced(): void {
    if (!waiters.length) return;
    waiters = waiters.filter((w) => {
      if (compareIds(position(), w.id) < 0) return true;
      w.resolve(true);
      return false;
    });
  }

  async function poll(): Promise<void> {
    offset = await opts.start.catch(() => '0-0');
    started = true;
    advanced();
    let suspect = false;
    while (!closed) {
      const began = performance.now();
      try {
        let res: [Buffer, [Buffer, Buffer[]][]][] | null;
        if (suspect && offset !== '0-0') {
          const from = offset;
          const out = await reader
            .pipeline()
            .xinfo('STREAM', opts.stream)
            .xreadBuffer('COUNT', opts.readCount, 'BLOCK', opts.blockMs, 'STREAMS', opts.stream, offset)
            .exec();
          const [info, read] = out ?? [];
          // (Not when a resync skipped past `from` meanwhile: that one covered it.)
          if (holeAfter(info?.[0] ?? null, info?.[1], from) && compareIds(from, floor) >= 0) opts.onHole(from);
          if (read?.[0]) throw read[0];
          res = (read?.[1] ?? null) as typeof res;
        } else {
          res = await reader.xreadBuffer('COUNT', opts.readCount, 'BLOCK', opts.blockMs, 'STREAMS', opts.stream, offset);
        }
        let n = 0;
        for (const [, entries] of res ?? []) {
          for (const [idBuf, fields] of entries) {
            n++;
            const id = idBuf.toString();
            offset = id;
            if (compareIds(id, floor) > 0) opts.onEntry(id, fields);
            else opts.onSkip(id, fields);
          }
        }
        if (compareIds(floor, offset) > 0) offset = floor;
        advanced();
        suspect = n >= opts.readCount || performance.now() - began > opts.blockMs + 1000;
      } catch {
        // Redis away or the connection closed: ioredis reconnects; try again shortly, and look for a hole.
        suspect = true;
        if (!closed) await sleep(100);
      }
    }
  }
  void poll();

  return {
    position,
    reached(id, timeoutMs) {
      if (started && compareIds(position(), id) >= 0) return Promise.resolve(true);
      return new Promise((resolve) => {
        const w = { id, resolve };
        waiters.push(w);
        setTimeout(() => {
          waiters = waiters.filter((x) => x !== w);
          resolve(false);
        }, timeoutMs).unref();
      });
    },
    skipTo(id) {
      if (compareIds(id, floor) > 0) floor = id;
      advanced();
    },
    stop() {
      closed = true;
      for (const w of waiters) w.resolve(false);
      waiters = [];
    },
  };
}
