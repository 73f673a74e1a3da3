// At start the platform reads Redis's eviction policy and persistence (CONFIG GET, or INFO where CONFIG
// is refused, as on many managed services) and refuses a Redis that would evict keys: queued
// conversations, offers and timers are keys. A Redis that answers neither is let through with a warning.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { claimDataDir } from '../../src/infra/data-dir.js';
import { startEmbeddedRedis } from '../../src/infra/redis.js';
import { readRedisPolicy, RedisPolicyError } from '../../src/infra/redis-policy.js';
import { createTestDatabase, TEST_SETTINGS, uid } from '../helpers.js';
import { spawnInstance } from '../processes.js';
import { startRedisServer, type RedisProcess } from './redis-server.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
const started: RedisProcess[] = [];
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  for (const r of started) await r.close();
  await db?.drop();
});

async function redisWith(...args: string[]): Promise<RedisProcess> {
  const r = await startRedisServer({ args });
  started.push(r);
  return r;
}

const noConfig = ['--rename-command', 'CONFIG', ''];
const noInfo = ['--rename-command', 'INFO', ''];

function build(redisUrl: string) {
  return buildApp(loadConfig({ DATABASE_URL: db.url, REDIS_URL: redisUrl, REDIS_PREFIX: `t${uid()}`, LOG_LEVEL: 'silent', ...TEST_SETTINGS }), { workers: false });
}

async function policyOf(url: string) {
  const r = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    return await readRedisPolicy(r);
  } finally {
    r.disconnect();
  }
}

describe('the Redis the platform starts on', () => {
  it('refuses an evicting policy, read by CONFIG GET, with a message naming the policy and the fix', async () => {
    const r = await redisWith('--maxmemory-policy', 'allkeys-lru', '--appendonly', 'yes');
    expect(await policyOf(r.url)).toEqual({ maxmemoryPolicy: 'allkeys-lru', aof: true, rdb: true, source: 'config' });
    const err = await build(r.url).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RedisPolicyError);
    expect((err as Error).message).toContain('"allkeys-lru"');
    expect((err as Error).message).toContain('maxmemory-policy noeviction');
  });

  it('refuses it where CONFIG is refused, read from INFO', async () => {
    const r = await redisWith('--maxmemory-policy', 'volatile-ttl', ...noConfig);
    expect(await policyOf(r.url)).toMatchObject({ maxmemoryPolicy: 'volatile-ttl', source: 'info' });
    await expect(build(r.url)).rejects.toBeInstanceOf(RedisPolicyError);
  });

  it('`pnpm start` exits with code 2 and the message, not a stack trace', async () => {
    const r = await redisWith('--maxmemory-policy', 'allkeys-random');
    const err = await spawnInstance({ databaseUrl: db.url, redisPrefix: `t${uid()}`, env: { REDIS_URL: r.url } }).then(
      () => null,
      (e: Error) => e.message,
    );
    expect(err).toContain('instance exited (2)');
    expect(err).toContain('maxmemory-policy is "allkeys-random"');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('starts on noeviction, whether CONFIG answers or only INFO, and warns when it can read neither', async () => {
    for (const args of [['--appendonly', 'yes'], noConfig, [...noConfig, ...noInfo]]) {
      const r = await redisWith('--maxmemory-policy', 'noeviction', ...args);
      const app = await build(r.url);
      await app.close();
    }
    const blind = started.at(-1)!;
    expect(await policyOf(blind.url)).toEqual({ maxmemoryPolicy: null, aof: null, rdb: null, source: 'none' });
  });

  it('the embedded default starts its private redis-server with noeviction and AOF', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hl-policy-'));
    const owner = await claimDataDir(dir);
    const redis = await startEmbeddedRedis(owner);
    try {
      expect(await policyOf(redis.url)).toEqual({ maxmemoryPolicy: 'noeviction', aof: true, rdb: true, source: 'config' });
    } finally {
      await redis.stop();
      await owner.release();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
