// Server instances as separate OS processes (for multi-instance, crash and restart tests).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, TEST_SETTINGS, TEST_REDIS_URL } from './helpers.js';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const SERVER_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface InstanceProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** stderr/stdout lines so far (for diagnosing failures). */
  output: string[];
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * A server instance as its own process. `serverDir` runs another checkout's server (the upgrade test
 * runs the version before the latest migration beside this one); by default, this one.
 */
export async function spawnInstance(opts: { databaseUrl: string; redisPrefix: string; env?: Record<string, string>; port?: number; nodeArgs?: string[]; serverDir?: string }): Promise<InstanceProcess> {
  const port = opts.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const serverDir = opts.serverDir ?? SERVER_DIR;
  const main = opts.serverDir ? path.join(opts.serverDir, 'src/main.ts') : MAIN;
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', main], {
    cwd: serverDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_URL: opts.databaseUrl,
      REDIS_URL: TEST_REDIS_URL,
      REDIS_PREFIX: opts.redisPrefix,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      ...TEST_SETTINGS,
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`instance exited (${child.exitCode}): ${output.join('')}`);
    try {
      const res = await fetch(`${url}/ready`);
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`instance did not become ready: ${output.join('')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    child,
    output,
    kill: (signal = 'SIGTERM') =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      }),
  };
}
