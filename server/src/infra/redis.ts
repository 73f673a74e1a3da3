// Redis connections, and the private redis-server child process of the embedded default.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import type { DataDirOwner } from './data-dir.js';

export class MissingRedisError extends Error {
  constructor() {
    super(
      'REDIS_URL is not set and no `redis-server` was found on the PATH.\n' +
        'Install Redis 7 (Debian/Ubuntu: `apt-get install redis-server`; macOS: `brew install redis`)\n' +
        'or point the platform at a running Redis: REDIS_URL=redis://127.0.0.1:6379 pnpm start',
    );
  }
}

export interface EmbeddedRedis {
  url: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/**
 * Starts a private redis-server: loopback only, AOF persistence in DATA_DIR/redis, no eviction. Only the
 * data folder's owner starts it: a leftover server found there is stopped, which must never be another
 * live platform's.
 */
export async function startEmbeddedRedis(owner: DataDirOwner): Promise<EmbeddedRedis> {
  const probe = spawnSync('redis-server', ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) throw new MissingRedisError();
  const dir = path.join(owner.dir, 'redis');
  mkdirSync(dir, { recursive: true });
  const pidFile = path.join(dir, 'redis.pid');
  await stopStaleRedis(pidFile);
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--protected-mode', 'yes',
      '--dir', dir,
      '--appendonly', 'yes',
      '--appendfsync', 'everysec',
      '--save', '60 1',
      '--maxmemory-policy', 'noeviction',
      '--daemonize', 'no',
      '--pidfile', pidFile,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const url = `redis://127.0.0.1:${port}`;
  // Wait until it answers.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('redis-server did not start within 10 s');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        // SIGTERM makes redis-server flush the AOF and exit cleanly.
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

/**
 * A platform killed with SIGKILL leaves its private redis-server running. Two servers must never share
 * one AOF folder, so a leftover one (found by its pid file) is stopped before a new one starts.
 */
async function stopStaleRedis(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return;
  }
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  let isRedis = false;
  try {
    isRedis = readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('redis');
  } catch {
    isRedis = process.platform !== 'linux' && alive();
  }
  if (pid > 0 && isRedis && alive()) {
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    if (alive()) process.kill(pid, 'SIGKILL');
  }
  rmSync(pidFile, { force: true });
}

export interface RedisFactory {
  url: string;
  prefix: string;
  /**
   * A new connection. `blocking` ones (BullMQ workers, stream readers) never give up retrying.
   * `autoPipeline` sends the commands issued in one event-loop turn in one write: for the busy
   * request/response clients (stream publishing, rate limits), never for one that blocks.
   * `readyCheck: false` skips ioredis's INFO before the first command: for a client whose commands a
   * library issues without handling their failure (the Socket.IO adapter's SUBSCRIBE), so that a Redis
   * where INFO is renamed away cannot turn that check's failure into an unhandled rejection.
   */
  create(opts?: { blocking?: boolean; name?: string; autoPipeline?: boolean; readyCheck?: boolean }): Redis;
}

export function redisFactory(url: string, prefix: string): RedisFactory {
  return {
    url,
    prefix,
    create(opts = {}) {
      const options: RedisOptions = {
        connectionName: opts.name,
        // Workers and QueueEvents need null; request/response callers fail fast while Redis is down.
        maxRetriesPerRequest: opts.blocking ? null : 2,
        enableOfflineQueue: true,
        enableAutoPipelining: opts.autoPipeline === true,
        enableReadyCheck: opts.readyCheck !== false,
        retryStrategy: (times) => Math.min(times * 100, 2_000),
      };
      const client = new Redis(url, options);
      // Connection errors are expected during a Redis outage: ioredis reconnects by itself and /ready
      // reports the state. Without a listener they would be printed as "unhandled" on every retry.
      client.on('error', () => {});
      return client;
    },
  };
}
