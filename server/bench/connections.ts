// `pnpm bench connections`: one server instance (a child process on a fresh database) holds N idle widget
// connections (default 10,000) opened from this process. Memory per connection = the server's resident
// memory after the connections minus before, divided by N (read from /proc, so Linux only). The last
// line is one JSON object.
import { readFileSync } from 'node:fs';
import { io as ioc, type Socket } from 'socket.io-client';
import { createTestDatabase, deleteRedisPrefix, uid } from '../test/helpers.js';
import { spawnInstance, type InstanceProcess } from '../test/processes.js';

const N = Number(process.env.BENCH_CONNECTIONS ?? 10_000);
const BATCH = 250;
const log = (s: string) => process.stderr.write(`${s}\n`);

function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : 0;
}

function open(url: string): Promise<Socket> {
  const s = ioc(`${url}/widget`, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin: url }, auth: { hostOrigin: url }, timeout: 60_000 });
  return new Promise((resolve, reject) => {
    s.once('connect', () => resolve(s));
    s.once('connect_error', reject);
  });
}

/** Settled memory: a few samples after the server had time to collect garbage. */
async function settledRss(pid: number): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    await new Promise((r) => setTimeout(r, 1000));
    samples.push(rssBytes(pid));
  }
  return Math.min(...samples);
}

async function main(): Promise<void> {
  const db = await createTestDatabase();
  const prefix = `bench${uid()}`;
  let inst: InstanceProcess | null = null;
  const sockets: Socket[] = [];
  try {
    inst = await spawnInstance({ databaseUrl: db.url, redisPrefix: prefix, env: { LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '4', WIDGET_CONNECTIONS_PER_IP_PER_MIN: '100000000' } });
    const pid = inst.child.pid!;
    // Warm up code paths so the baseline includes them, not the delta.
    for (let i = 0; i < 50; i++) sockets.push(await open(inst.url));
    const before = await settledRss(pid);
    const started = Date.now();
    while (sockets.length < N + 50) {
      const n = Math.min(BATCH, N + 50 - sockets.length);
      sockets.push(...(await Promise.all(Array.from({ length: n }, () => open(inst!.url)))));
      if (sockets.length % 2000 < BATCH) log(`${sockets.length - 50} connections (${Math.round((Date.now() - started) / 1000)} s)`);
    }
    const after = await settledRss(pid);
    const alive = sockets.filter((s) => s.connected).length - 50;
    const perConnection = Math.round((after - before) / alive);
    log(`server RSS before ${Math.round(before / 1048576)} MiB, after ${Math.round(after / 1048576)} MiB, ${alive} connections alive`);
    console.log(JSON.stringify({ bench: 'connections', connections: alive, bytes_per_connection: perConnection }));
  } catch (err) {
    if (inst) log(inst.output.join('').slice(-3000));
    throw err;
  } finally {
    for (const s of sockets) s.disconnect();
    if (inst) await inst.kill('SIGKILL');
    await db.drop().catch(() => {});
    await deleteRedisPrefix(prefix).catch(() => {});
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
