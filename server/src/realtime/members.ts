// Which server instances are alive, so that an instance that is alone can skip the Redis stream. A lone
// instance's broadcasts reach only its own sockets; appending each turn to the stream (and being woken
// to read its own entry back) cost a production deployment of one instance about a tenth of its CPU on
// the message path, for nobody.
//
// Every instance adds itself to one sorted set every `heartbeatMs`, scored with Redis's clock, and reads
// the set back in the same script. Skipping the stream is the only thing that depends on it, and it is
// allowed only on positive, fresh knowledge:
//  - "alone" comes from a heartbeat answered less than 2 heartbeats ago: an instance that stalled, or
//    cannot reach Redis, publishes again;
//  - after a heartbeat that found this instance missing from the set (its first, or Redis lost its data,
//    or it was taken for dead), "alone" is not trusted for 2 heartbeats, the time every live instance
//    needs to add itself again;
//  - a new instance is `joined` (and only then takes sockets: buildApp waits for it) once every other
//    instance has heartbeated at least one heartbeat after the new one arrived, so each of them has
//    known of it for a while, or has gone 3 heartbeats without one, so it no longer trusts its
//    "alone". Any instance that could skip the stream knows the new one before the new one has a socket.
// A crashed instance stays in the set until `deadAfterMs`: the others keep publishing meanwhile, which
// costs only CPU.
//
// An instance taken for dead may only have lost Redis (a partition): its sockets are still connected,
// and they get nothing another instance broadcasts while that one is alone. Two rules make this lose
// nothing (docs/realtime-adapter.md, "Long partitions"):
//  - never alone for `neverAloneMs` after another member was last seen. The script keeps, next to the
//    set, the last heartbeat of any member it removed as dead (`:gone`, Redis time), and an instance is
//    alone only once that is `neverAloneMs` old (and if Redis lost the set and `:gone` with it, an
//    instance that saw another member within the window distrusts "alone" for the whole window). So
//    the others keep appending long after one vanished,
//    and a returning instance finds what they broadcast in the stream (the reader checks it is all
//    there: stream-reader.ts);
//  - an instance whose heartbeats stopped for `neverAloneMs` or more (Redis time, from one answered
//    heartbeat to the next) calls `onAway`: someone may have been alone meanwhile, so the adapter
//    disconnects its sockets and their clients reconnect and resync from Postgres.
import type { Redis } from 'ioredis';

/** KEYS[1]: the set, KEYS[2]: the last heartbeat of a member removed as dead. ARGV: this instance,
 * dead-after ms, 'leave' to leave, how long the set and the `:gone` key live (from the gone heartbeat).
 * Returns [now, 1 when this instance was in the set already, gone, then member, score, member, score...]. */
const HEARTBEAT_SCRIPT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if ARGV[3] == 'leave' then
  redis.call('ZREM', KEYS[1], ARGV[1])
  return {now}
end
local was = redis.call('ZSCORE', KEYS[1], ARGV[1])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]), 'WITHSCORES')
local gone = tonumber(redis.call('GET', KEYS[2]) or '0')
for i = 1, #dead, 2 do
  if dead[i] ~= ARGV[1] and tonumber(dead[i + 1]) > gone then gone = tonumber(dead[i + 1]) end
end
if #dead > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
  if gone > 0 then redis.call('SET', KEYS[2], gone, 'PX', math.max(1, gone + tonumber(ARGV[4]) - now)) end
end
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
local out = {now, was and 1 or 0, gone}
local all = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #all do out[#out + 1] = all[i] end
return out`;

type WithHeartbeat = Redis & { helplineHeartbeat(key: string, goneKey: string, ...args: (string | number)[]): Promise<(string | number)[]> };

export interface MembersOptions {
  key: string;
  instanceId: string;
  heartbeatMs?: number;
  deadAfterMs?: number;
  /** Not alone until this long after another member was last seen (default 10 minutes). */
  neverAloneMs?: number;
  /** This instance's heartbeats stopped for neverAloneMs or more (Redis time): someone may have been alone. */
  onAway?: (awayMs: number) => void;
}

export interface Members {
  /** True only while this instance knows, freshly, that no other instance is alive. */
  alone(): boolean;
  /** Resolves once every live instance knows of this one (or after a few heartbeats without Redis). */
  joined: Promise<void>;
  /** Stops heartbeating and leaves the set. */
  leave(): Promise<void>;
}

export function trackMembers(redis: Redis, opts: MembersOptions): Members {
  const beat = opts.heartbeatMs ?? 1000;
  const deadAfter = opts.deadAfterMs ?? 15_000;
  const neverAlone = opts.neverAloneMs ?? 600_000;
  const goneKey = `${opts.key}:gone`;
  // The gone key must last until its heartbeat is neverAlone old, and the set as long: a set that expired
  // while everyone was away would forget a member still cut off, unrecorded as gone.
  const goneTtl = neverAlone + 2 * deadAfter;
  const now = () => performance.now();
  if (!('helplineHeartbeat' in redis)) redis.defineCommand('helplineHeartbeat', { numberOfKeys: 2, lua: HEARTBEAT_SCRIPT });
  const client = redis as WithHeartbeat;

  let aloneUntil = -Infinity;
  let distrustUntil = -Infinity;
  /** Redis time of this instance's first heartbeat, and of its last answered one. */
  let arrivedAt: number | null = null;
  let lastBeatAt: number | null = null;
  /** Local time of the last heartbeat that found another member. */
  let lastSawOtherAt: number | null = null;
  /** Set until joined. */
  let join: (() => void) | null = null;
  const joined = new Promise<void>((resolve) => (join = resolve)).then(() => {
    join = null;
  });
  const startedAt = now();
  let stopped = false;

  async function heartbeat(): Promise<void> {
    let res: (string | number)[];
    try {
      res = await client.helplineHeartbeat(opts.key, goneKey, opts.instanceId, deadAfter, '', goneTtl);
    } catch {
      return; // Redis away: "alone" expires by itself.
    }
    if (stopped) return;
    const at = now();
    const redisNow = Number(res[0]);
    // Missing from the set: its first heartbeat, or taken for dead, or Redis lost the set (and `:gone`
    // with it). Having seen another member within the window, it distrusts "alone" for the whole window.
    if (Number(res[1]) === 0) distrustUntil = at + (lastSawOtherAt !== null && at - lastSawOtherAt < neverAlone ? neverAlone : 2 * beat);
    if (lastBeatAt !== null && redisNow - lastBeatAt >= neverAlone) opts.onAway?.(redisNow - lastBeatAt);
    if (lastBeatAt === null || redisNow > lastBeatAt) lastBeatAt = redisNow;
    arrivedAt ??= redisNow;
    const gone = Number(res[2]);
    const others: number[] = [];
    for (let i = 3; i + 1 < res.length; i += 2) if (String(res[i]) !== opts.instanceId) others.push(Number(res[i + 1]));
    if (others.length) lastSawOtherAt = at;
    aloneUntil = others.length === 0 && redisNow >= gone + neverAlone ? at + 2 * beat : -Infinity;
    if (join && others.every((score) => score >= arrivedAt! + beat || redisNow >= score + 3 * beat)) join();
  }

  void heartbeat();
  const timer = setInterval(() => {
    // A start is not held forever by a Redis that does not answer: without Redis there is no stream,
    // and no other instance can hold a fresh "alone" for long.
    if (arrivedAt === null && now() - startedAt > 5 * beat) join?.();
    void heartbeat();
  }, beat);
  timer.unref();

  return {
    alone: () => {
      const t = now();
      return t < aloneUntil && t >= distrustUntil;
    },
    joined,
    async leave() {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      aloneUntil = -Infinity;
      // Best effort, bounded: with Redis away the entry simply expires.
      await Promise.race([client.helplineHeartbeat(opts.key, goneKey, opts.instanceId, deadAfter, 'leave', goneTtl).catch(() => {}), new Promise((r) => setTimeout(r, beat).unref())]);
    },
  };
}
