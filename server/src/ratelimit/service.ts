// Fixed-window counters in Redis, shared by all instances. Sized for schools, where many children share
// one IP: the per-IP limits are far above the per-session ones. If Redis cannot answer, requests pass:
// refusing a child's message because a counter is unavailable would be the worse failure.
//
// Two ways to count. Rare, costly requests (logins, handshakes, reports) hit Redis on every request, so
// every instance sees every hit at once. Chat messages are counted on the instance first and the counts
// are added to the shared counters in one script call at most every SYNC_MS, which answers with the
// totals: a message costs no Redis round trip, and an instance refuses a flood spread over several
// instances from its first sync after the shared total passes the limit. On one instance the count is
// exact.
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { systemClock, type Clock } from '../infra/clock.js';
import { AppError } from '../http/errors.js';

export interface Limit {
  name: string;
  max: number;
  windowMs: number;
}

/** KEYS: the counters; ARGV: each counter's time to live in ms. Returns the counts after the hit. */
const HIT_SCRIPT = `
local out = {}
for i, key in ipairs(KEYS) do
  local n = redis.call('INCR', key)
  if n == 1 then redis.call('PEXPIRE', key, ARGV[i]) end
  out[i] = n
end
return out`;

/** KEYS: the counters; ARGV: each counter's increment, then each one's time to live in ms. Returns the totals. */
const ADD_SCRIPT = `
local n = #KEYS
local out = {}
for i, key in ipairs(KEYS) do
  local add = tonumber(ARGV[i])
  local total = redis.call('INCRBY', key, add)
  if total == add then redis.call('PEXPIRE', key, ARGV[n + i]) end
  out[i] = total
end
return out`;

/**
 * Wrong passwords (see `loginAttempt`). KEYS: the (account, address) counter, the account's counter,
 * the address's "owner logged in from here" mark; ARGV: the pair's limit, the account's, the window in
 * ms. Refuses (1: this address, 2: the account, from an address it had not been used from) or reserves
 * one failure in both counters, which the caller gives back when the attempt was not a failure.
 */
const LOGIN_BEGIN_SCRIPT = `
if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then return 1 end
if tonumber(redis.call('GET', KEYS[2]) or '0') >= tonumber(ARGV[2]) and redis.call('EXISTS', KEYS[3]) == 0 then return 2 end
for i = 1, 2 do
  if redis.call('INCR', KEYS[i]) == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[3]) end
end
return 0`;

/** KEYS as above; ARGV: 'ok' (the pair's failures are cleared, the address marked for ARGV[2] ms) or 'void'. */
const LOGIN_END_SCRIPT = `
for i = 1, 2 do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('DECR', KEYS[i]) end
end
if ARGV[1] == 'ok' then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
end
return 0`;

/** How often this instance's message counts are added to the shared counters. */
export const SYNC_MS = 100;

/** The scripts as client commands: sent by its SHA (EVALSHA), its text only when Redis does not know it. */
type WithHit = Redis & {
  helplineRateHit(numKeys: number, ...keysThenTtls: (string | number)[]): Promise<number[]>;
  helplineRateAdd(numKeys: number, ...keysThenArgs: (string | number)[]): Promise<number[]>;
  helplineLoginBegin(numKeys: number, ...keysThenArgs: (string | number)[]): Promise<number>;
  helplineLoginEnd(numKeys: number, ...keysThenArgs: (string | number)[]): Promise<number>;
};

/** What the login route reports once it knows how an attempt went. */
export interface LoginAttempt {
  /** A wrong e-mail or password: the reserved failure stays. */
  failed(): Promise<void>;
  /** The password was right: this address's failures are cleared and it is marked as the owner's. */
  succeeded(): Promise<void>;
  /** Neither (the check itself could not run): the reservation is given back. */
  abandoned(): Promise<void>;
}

/** Wrong passwords one address may try on one account per window, and all addresses together. */
const LOGIN_FAILURES_PER_ADDRESS = 10;
const LOGIN_FAILURES_PER_ACCOUNT = 100;
const LOGIN_WINDOW_MS = 15 * 60_000;
/** How long an address the owner logged in from stays exempt from the account's ceiling. */
const OWNER_ADDRESS_MS = 30 * 86_400_000;

/** One counter of one window as this instance knows it. */
interface LocalCount {
  /** The shared total at the last sync (this instance's synced hits included). */
  shared: number;
  /** Hits sent in the sync under way. */
  sending: number;
  /** Hits not yet sent. */
  pending: number;
  ttlMs: number;
  /** When the window ends (ms since the epoch): the entry is dropped after it. */
  endsAt: number;
}

export function createRateLimits(
  redis: Redis,
  prefix: string,
  opts: { messagesPer10s: number; connectionsPerIpPerMin?: number; loginsPerIpPerMin?: number },
  clock: Clock = systemClock,
) {
  redis.defineCommand('helplineRateHit', { lua: HIT_SCRIPT });
  redis.defineCommand('helplineRateAdd', { lua: ADD_SCRIPT });
  redis.defineCommand('helplineLoginBegin', { lua: LOGIN_BEGIN_SCRIPT });
  redis.defineCommand('helplineLoginEnd', { lua: LOGIN_END_SCRIPT });
  const client = redis as WithHit;
  /** A limit's counter for one key in the window that holds `now`. */
  const counterKey = (limit: Limit, id: string, now: number) => `${prefix}:rl:${limit.name}:${id}:${Math.floor(now / limit.windowMs)}`;
  const tooMany = (limit: Limit) =>
    new AppError('rate_limited', `Too many requests, please wait ${Math.ceil(limit.windowMs / 1000)} s`, { retryable: true });

  const local = new Map<string, LocalCount>();
  let syncTimer: NodeJS.Timeout | null = null;
  let syncing = false;
  /** Adds this instance's unsent hits to the shared counters and learns their totals. */
  async function sync(): Promise<void> {
    syncTimer = null;
    if (syncing) return schedule();
    const now = clock.now();
    const keys: string[] = [];
    const entries: LocalCount[] = [];
    for (const [key, e] of local) {
      // A window that has ended is never read again: its unsent hits need not be shared.
      if (e.endsAt <= now) local.delete(key);
      else if (e.pending > 0) {
        keys.push(key);
        entries.push(e);
        e.sending = e.pending;
        e.pending = 0;
      }
    }
    if (!keys.length) return;
    syncing = true;
    try {
      const totals = await client.helplineRateAdd(keys.length, ...keys, ...entries.map((e) => e.sending), ...entries.map((e) => e.ttlMs));
      entries.forEach((e, i) => {
        e.shared = Math.max(e.shared, Number(totals[i] ?? 0));
        e.sending = 0;
      });
    } catch {
      // Redis is away: the hits count again in the next sync; until then this instance counts alone.
      for (const e of entries) {
        e.pending += e.sending;
        e.sending = 0;
      }
    } finally {
      syncing = false;
    }
    if (entries.some((e) => e.pending > 0)) schedule();
  }
  function schedule(): void {
    if (syncTimer) return;
    syncTimer = setTimeout(() => void sync(), SYNC_MS);
    syncTimer.unref();
  }
  /** Counts one hit against each limit on this instance; throws rate_limited if any is exceeded. */
  function hitLocal(checks: [Limit, string][]): void {
    const now = clock.now();
    let over: Limit | null = null;
    for (const [limit, id] of checks) {
      const key = counterKey(limit, id, now);
      let e = local.get(key);
      if (!e) {
        e = { shared: 0, sending: 0, pending: 0, ttlMs: limit.windowMs * 2, endsAt: (Math.floor(now / limit.windowMs) + 1) * limit.windowMs };
        local.set(key, e);
      }
      // A refused hit counts too, as in Redis: a flood stays refused until its window ends.
      e.pending++;
      if (!over && e.shared + e.sending + e.pending > limit.max) over = limit;
    }
    schedule();
    if (over) throw tooMany(over);
  }

  /**
   * Count one hit against each limit in ONE command (a script: increments every counter and starts its
   * expiry on the first hit); throws rate_limited if any is exceeded. A single command per check lets the
   * client pipeline the checks of many concurrent messages into one write.
   */
  async function hitAll(checks: [Limit, string][]): Promise<void> {
    const now = clock.now();
    const keys = checks.map(([limit, key]) => counterKey(limit, key, now));
    let counts: number[];
    try {
      counts = await client.helplineRateHit(keys.length, ...keys, ...checks.map(([limit]) => limit.windowMs * 2));
    } catch {
      return;
    }
    checks.forEach(([limit], i) => {
      if (Number(counts[i] ?? 0) > limit.max) throw tooMany(limit);
    });
  }
  const hit = (limit: Limit, key: string) => hitAll([[limit, key]]);
  const visitorMsg: Limit = { name: 'vmsg', max: opts.messagesPer10s, windowMs: 10_000 };
  const ipMsg: Limit = { name: 'ipmsg', max: opts.messagesPer10s * 40, windowMs: 10_000 };
  // A school's children share one IP and reconnect on flaky Wi-Fi: generous per IP, still a ceiling
  // against one host opening connections in a loop.
  const ipConnect: Limit = { name: 'ipconn', max: opts.connectionsPerIpPerMin ?? 600, windowMs: 60_000 };
  const loginIp: Limit = { name: 'loginip', max: opts.loginsPerIpPerMin ?? 60, windowMs: 60_000 };
  // Hashed: an e-mail may be 254 characters long, and keys need not spell out who logs in from where.
  const digest = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 22);
  const loginTooMany = new AppError('rate_limited', `Too many wrong passwords, please wait ${LOGIN_WINDOW_MS / 1000} s`, { retryable: true });
  return {
    hit,
    /** A chat message of a visitor: counted on this instance, shared within SYNC_MS (see the top). */
    async visitorMessage(visitorKey: string, ip: string): Promise<void> {
      hitLocal([
        [visitorMsg, visitorKey],
        [ipMsg, ip],
      ]);
    },
    /**
     * A login attempt. Every attempt counts per IP (a centre's office shares one), so that argon2's cost
     * cannot be used to flood the server. Only wrong passwords count against an account, per (account,
     * address): a stranger elsewhere cannot lock the owner out, and a success clears that address's
     * failures. A guesser spreading over many addresses meets the account's ceiling, which holds back
     * only addresses the owner has not logged in from in the last 30 days (docs/security.md).
     * Concurrent attempts each reserve a failure first, so a burst gets no more guesses than a sequence.
     */
    async loginAttempt(ip: string, email: string): Promise<LoginAttempt> {
      await hit(loginIp, ip);
      const account = digest(email.trim().toLowerCase());
      const pair = digest(`${account}|${ip}`);
      const keys = [`${prefix}:rl:loginpair:${pair}`, `${prefix}:rl:loginacct:${account}`, `${prefix}:rl:loginowner:${pair}`];
      let verdict = 0;
      try {
        verdict = await client.helplineLoginBegin(3, ...keys, LOGIN_FAILURES_PER_ADDRESS, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_WINDOW_MS);
      } catch {
        // Redis is away: let the attempt through (see the top), with nothing to give back.
        const none = async () => {};
        return { failed: none, succeeded: none, abandoned: none };
      }
      if (verdict !== 0) throw loginTooMany;
      const end = (how: 'ok' | 'void') => client.helplineLoginEnd(3, ...keys, how, OWNER_ADDRESS_MS).then(() => undefined, () => undefined);
      return { failed: async () => {}, succeeded: () => end('ok'), abandoned: () => end('void') };
    },
    /** One widget handshake from this IP. */
    async widgetConnection(ip: string): Promise<void> {
      await hit(ipConnect, ip);
    },
  };
}
export type RateLimits = ReturnType<typeof createRateLimits>;
