// What the platform asks of a Redis before it starts: no eviction (BullMQ jobs, timers and the
// routing indexes are keys; a Redis that drops keys under memory pressure loses offers and timers
// without a word) and, preferably, persistence. CONFIG GET first; managed Redis services often
// refuse CONFIG, then INFO says the same; when both are refused the check cannot be made and says so.
import type { Redis } from 'ioredis';

export class RedisPolicyError extends Error {
  constructor(readonly policy: string) {
    super(
      `Redis's maxmemory-policy is "${policy}": under memory pressure Redis would delete keys, and with them\n` +
        'queued conversations, offers and timers. The platform needs maxmemory-policy noeviction.\n' +
        'Set it in redis.conf (`maxmemory-policy noeviction`) or at runtime: redis-cli CONFIG SET maxmemory-policy noeviction\n' +
        '(see docs/deploy.md, "Redis").',
    );
  }
}

export interface RedisPolicy {
  /** null: Redis answered neither CONFIG GET nor INFO. */
  maxmemoryPolicy: string | null;
  aof: boolean | null;
  /** RDB snapshots configured (`save` not empty). */
  rdb: boolean | null;
  /** Which command answered. */
  source: 'config' | 'info' | 'none';
}

function infoField(info: string, name: string): string | null {
  const m = new RegExp(`^${name}:(.*)$`, 'm').exec(info);
  return m ? m[1]!.trim() : null;
}

export async function readRedisPolicy(redis: Redis): Promise<RedisPolicy> {
  try {
    const pairs = (await redis.call('CONFIG', 'GET', 'maxmemory-policy', 'appendonly', 'save')) as string[];
    const cfg = new Map<string, string>();
    for (let i = 0; i + 1 < pairs.length; i += 2) cfg.set(pairs[i]!, pairs[i + 1]!);
    if (cfg.has('maxmemory-policy')) {
      return { maxmemoryPolicy: cfg.get('maxmemory-policy')!, aof: cfg.get('appendonly') === 'yes', rdb: (cfg.get('save') ?? '').trim() !== '', source: 'config' };
    }
  } catch {
    /* CONFIG refused (renamed, ACL): try INFO */
  }
  try {
    const info = await redis.info();
    const policy = infoField(info, 'maxmemory_policy');
    const aof = infoField(info, 'aof_enabled');
    if (policy !== null) return { maxmemoryPolicy: policy, aof: aof === null ? null : aof === '1', rdb: null, source: 'info' };
  } catch {
    /* INFO refused too */
  }
  return { maxmemoryPolicy: null, aof: null, rdb: null, source: 'none' };
}

interface Log {
  warn(obj: object, msg: string): void;
}

/** Throws RedisPolicyError on an evicting policy; warns when persistence is off or cannot be read. */
export async function checkRedisPolicy(redis: Redis, log: Log): Promise<RedisPolicy> {
  const p = await readRedisPolicy(redis);
  if (p.maxmemoryPolicy !== null && p.maxmemoryPolicy !== 'noeviction') throw new RedisPolicyError(p.maxmemoryPolicy);
  if (p.source === 'none') {
    log.warn({ setting: 'maxmemory-policy' }, 'Redis refused CONFIG GET and INFO: cannot check that maxmemory-policy is noeviction and that AOF is on; make sure they are (docs/deploy.md)');
  } else if (p.aof === false) {
    log.warn({ appendonly: false, rdb: p.rdb }, 'Redis runs without AOF: after a Redis crash the queues and timers are rebuilt from Postgres, but production should run with appendonly yes (docs/deploy.md)');
  }
  return p;
}
