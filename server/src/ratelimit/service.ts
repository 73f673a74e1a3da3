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

export function createRateLimits(redis: Redis, prefix: string, opts: { messagesPer10s: number }) {
  async function hit(limit: Limit, key: string): Promise<void> {
    const window = Math.floor(Date.now() / limit.windowMs);
    const k = `${prefix}:rl:${limit.name}:${key}:${window}`;
    let count: number;
    try {
      const res = await redis.multi().incr(k).pexpire(k, limit.windowMs * 2).exec();
      count = Number(res?.[0]?.[1] ?? 0);
    } catch {
      return;
    }
    if (count > limit.max) {
      throw new AppError('rate_limited', `Too many requests, please wait ${Math.ceil(limit.windowMs / 1000)} s`, { retryable: true });
    }
  }
  const visitorMsg: Limit = { name: 'vmsg', max: opts.messagesPer10s, windowMs: 10_000 };
  const ipMsg: Limit = { name: 'ipmsg', max: opts.messagesPer10s * 40, windowMs: 10_000 };
  return {
    hit,
    async visitorMessage(visitorKey: string, ip: string): Promise<void> {
      await hit(visitorMsg, visitorKey);
      await hit(ipMsg, ip);
    },
  };
}
export type RateLimits = ReturnType<typeof createRateLimits>;
