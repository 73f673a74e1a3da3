// Servers the fault tests own and break: a private redis-server, a private Postgres cluster (initdb +
// pg_ctl, crashed with `-m immediate`), and a TCP proxy that cuts or half-cuts connections. The
// machine's shared Postgres and Redis are never touched.
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { freePort } from '../helpers.js';

// ---------- Redis ----------

export interface PrivateRedis {
  url: string;
  port: number;
  /** SIGKILL: what was only in memory is gone. */
  kill(): Promise<void>;
  /** SIGTERM: redis-server writes its append-only file and exits. */
  stop(): Promise<void>;
  /** Starts again on the same port, with its data folder (what it wrote before it stopped) or empty. */
  start(opts?: { empty?: boolean }): Promise<void>;
  close(): Promise<void>;
}

async function startRedisOn(port: number, dir: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ready to accept connections')) {
        clearTimeout(t);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`redis-server exited ${code}: ${out}`));
    });
  });
  return child;
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hl-redis-'));
  let child = await startRedisOn(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill: () => stopChild(child, 'SIGKILL'),
    stop: () => stopChild(child, 'SIGTERM'),
    start: async (opts = {}) => {
      if (opts.empty) {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir);
      }
      child = await startRedisOn(port, dir);
    },
    close: async () => {
      await stopChild(child, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------- Postgres ----------

/**
 * The folder holding initdb and pg_ctl: the PATH first, then Debian's /usr/lib/postgresql/<version>/bin
 * (newest version first); null when neither has them.
 */
export function findPostgresBin(): string | null {
  const has = (dir: string) => ['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(path.join(dir, b)));
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) if (dir && has(dir)) return dir;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => /^\d+(\.\d+)?$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (has(path.join(root, v, 'bin'))) return path.join(root, v, 'bin');
  return null;
}

export interface PrivatePostgres {
  /** The platform's database on this cluster. */
  url: string;
  port: number;
  /** `pg_ctl stop -m immediate`: every backend is killed at once, no checkpoint (a crash as Postgres sees it). */
  crash(): Promise<void>;
  /** Starts again on the same data folder and port; resolves once it accepts connections (after recovery). */
  start(): Promise<void>;
  /** Rows straight from the cluster (never through the platform). */
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

/** initdb refuses to run as root: then the cluster runs as an unprivileged user. */
function clusterUser(): { name: string; uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  for (const name of ['postgres', 'nobody']) {
    try {
      const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
      return { name, uid, gid };
    } catch {
      /* no such user */
    }
  }
  throw new Error('running as root and found no unprivileged user (postgres, nobody) for the private Postgres cluster');
}

/** Runs a Postgres program as the cluster's user; never blocks this process's event loop. */
function runAs(user: ReturnType<typeof clusterUser>, cmd: string, args: string[], cwd: string): Promise<void> {
  const [file, argv] = user ? ['runuser', ['-u', user.name, '--', cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    execFile(file, argv, { cwd, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(cmd)} failed: ${stderr || stdout || err.message}`));
      else resolve();
    });
  });
}

export async function privatePostgres(bin: string): Promise<PrivatePostgres> {
  const user = clusterUser();
  const root = mkdtempSync(path.join(os.tmpdir(), 'hl-pg-'));
  if (user) chownSync(root, user.uid, user.gid);
  const data = path.join(root, 'data');
  const port = await freePort();
  const pgCtl = path.join(bin, 'pg_ctl');
  await runAs(user, path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'], root);
  const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${root} -c max_connections=50`;
  const start = () => runAs(user, pgCtl, ['-D', data, '-l', path.join(root, 'log'), '-o', options, '-w', '-t', '60', 'start'], root);
  const crashNow = () => runAs(user, pgCtl, ['-D', data, '-m', 'immediate', '-w', 'stop'], root);
  await start();
  let running = true;
  // A test process that dies leaves no cluster behind.
  const onExit = () => {
    if (running) spawnSync(user ? 'runuser' : pgCtl, user ? ['-u', user.name, '--', pgCtl, '-D', data, '-m', 'immediate', 'stop'] : ['-D', data, '-m', 'immediate', 'stop'], { cwd: root });
  };
  process.once('exit', onExit);

  const base = `postgres://postgres@127.0.0.1:${port}`;
  const admin = postgres(`${base}/postgres`, { max: 1, onnotice: () => {} });
  await admin.unsafe('create database helpline');
  await admin.end();
  const url = `${base}/helpline`;
  let reader: ReturnType<typeof postgres> | null = null;
  return {
    url,
    port,
    crash: async () => {
      await crashNow();
      running = false;
    },
    start: async () => {
      await start();
      running = true;
    },
    query: async <T>(text: string, params: unknown[] = []) => {
      reader ??= postgres(url, { max: 1, onnotice: () => {} });
      return (await reader.unsafe(text, params as never[])) as unknown as T[];
    },
    close: async () => {
      await reader?.end({ timeout: 1 });
      if (running) await crashNow();
      running = false;
      process.off('exit', onExit);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

// ---------- TCP proxy ----------

export interface TcpProxy {
  port: number;
  /** Destroy every open connection and refuse new ones until restore(). */
  cut(): void;
  /** Keep forwarding requests, drop every answer: the far side acts, this side never learns it. */
  dropReplies(): void;
  /** Reset (TCP RST) every connection of the near side: its reads fail with ECONNRESET. */
  reset(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function tcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let up = true;
  let replies = true;
  const open = new Set<net.Socket>();
  const clients = new Set<net.Socket>();
  const server = net.createServer((client) => {
    if (!up) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    clients.add(client);
    client.once('close', () => clients.delete(client));
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (d: Buffer) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      if (replies) client.write(d);
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
  return {
    port,
    cut() {
      up = false;
      for (const s of open) s.destroy();
      open.clear();
    },
    dropReplies() {
      replies = false;
    },
    reset() {
      for (const c of clients) c.resetAndDestroy();
    },
    restore() {
      up = true;
      replies = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        server.close(() => resolve());
      }),
  };
}
