// Fixed-window counters in Redis, shared by all instances. Sized for schools, where many children share
// one IP: the per-IP limits are far above the per-session ones. If Redis cannot answer, requests pass:
// refusing a child's message because a counter is unavailable would be the worse failure.
import type { Redis } from 'ioredis';
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

/** The script as a client command: sent by its SHA (EVALSHA), its text only when Redis does not know it. */
type WithHit = Redis & { helplineRateHit(numKeys: number, ...keysThenTtls: (string | number)[]): Promise<number[]> };

export function createRateLimits(redis: Redis, prefix: string, opts: { messagesPer10s: number; connectionsPerIpPerMin?: number; loginsPerIpPerMin?: number }) {
  redis.defineCommand('helplineRateHit', { lua: HIT_SCRIPT });
  const client = redis as WithHit;
  /**
   * Count one hit against each limit in ONE command (a script: increments every counter and starts its
   * expiry on the first hit); throws rate_limited if any is exceeded. A single command per check lets the
   * client pipeline the checks of many concurrent messages into one write.
   */
  async function hitAll(checks: [Limit, string][]): Promise<void> {
    const now = Date.now();
    const keys = checks.map(([limit, key]) => `${prefix}:rl:${limit.name}:${key}:${Math.floor(now / limit.windowMs)}`);
    let counts: number[];
    try {
      counts = await client.helplineRateHit(keys.length, ...keys, ...checks.map(([limit]) => limit.windowMs * 2));
    } catch {
      return;
    }
    checks.forEach(([limit], i) => {
      if (Number(counts[i] ?? 0) > limit.max) {
        throw new AppError('rate_limited', `Too many requests, please wait ${Math.ceil(limit.windowMs / 1000)} s`, { retryable: true });
      }
    });
  }
  const hit = (limit: Limit, key: string) => hitAll([[limit, key]]);
  const visitorMsg: Limit = { name: 'vmsg', max: opts.messagesPer10s, windowMs: 10_000 };
  const ipMsg: Limit = { name: 'ipmsg', max: opts.messagesPer10s * 40, windowMs: 10_000 };
  // A school's children share one IP and reconnect on flaky Wi-Fi: generous per IP, still a ceiling
  // against one host opening connections in a loop.
  const ipConnect: Limit = { name: 'ipconn', max: opts.connectionsPerIpPerMin ?? 600, windowMs: 60_000 };
  const loginIp: Limit = { name: 'loginip', max: opts.loginsPerIpPerMin ?? 60, windowMs: 60_000 };
  const loginEmail: Limit = { name: 'loginmail', max: 10, windowMs: 15 * 60_000 };
  return {
    hit,
    async visitorMessage(visitorKey: string, ip: string): Promise<void> {
      await hitAll([
        [visitorMsg, visitorKey],
        [ipMsg, ip],
      ]);
    },
    /**
     * A login attempt: per IP (a centre's office shares one) and per e-mail, so that guessing one
     * account's password is slow and each attempt's argon2 cost cannot be used to flood the server.
     */
    async login(ip: string, email: string): Promise<void> {
      await hitAll([
        [loginIp, ip],
        [loginEmail, email.trim().toLowerCase()],
      ]);
    },
    /** One widget handshake from this IP. */
    async widgetConnection(ip: string): Promise<void> {
      await hit(ipConnect, ip);
    },
  };
}
export type RateLimits = ReturnType<typeof createRateLimits>;
