// The embedded default's data folder (PGlite, the private Redis) has exactly one owner: the running
// platform. Two processes on one PGlite folder corrupt it silently (accounts written by one vanish,
// primary keys collide), so whoever opens the folder must first hold its lock, and everything else (the
// CLI) talks to the owner through its channel socket instead of opening the folder.
//
// The lock is a listening socket in Linux's abstract namespace, named by the folder's real path: the
// kernel lets only one process bind a name and frees it the moment that process dies, however it dies,
// so there is no stale lock to judge and no race between two starters. Elsewhere (macOS) a lock file
// holding the owner's pid stands in: a lock whose pid no longer runs is taken over.
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, realpathSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface OwnerInfo {
  pid: number;
  startedAt: string;
  /** The platform's address, to name it in messages. */
  url: string;
  /** Where the CLI reaches the owner (see cli/channel.ts). */
  channel: string;
}

export interface DataDirOwner {
  dir: string;
  /** A path for the owner's channel socket, in a folder only this user can enter. */
  channelPath: string;
  /** Records who owns the folder (read by a second opener and by the CLI). */
  announce(info: Omit<OwnerInfo, 'pid' | 'startedAt' | 'channel'>): void;
  release(): Promise<void>;
}

export class DataDirInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly owner: OwnerInfo | null,
  ) {
    const who = owner ? `the platform running as process ${owner.pid} (started ${owner.startedAt}, ${owner.url})` : 'another running process';
    super(
      `The data folder ${dir} is in use by ${who}.\n` +
        'Only one process may open it: two would corrupt the embedded database.\n' +
        `  - To stop that platform: Ctrl-C in its terminal${owner ? `, or \`kill ${owner.pid}\`` : ''}.\n` +
        '  - To run a second platform beside it: give this one its own DATA_DIR (and PORT).\n' +
        '  - To manage staff accounts while it runs: `pnpm cli ...` talks to the running platform.',
    );
  }
}

const OWNER_FILE = 'owner.json';
/** sun_path holds 108 bytes on Linux, 104 on macOS; keep a margin. */
const MAX_SOCKET_PATH = 100;

export function readOwnerInfo(dataDir: string): OwnerInfo | null {
  try {
    const info = JSON.parse(readFileSync(path.join(path.resolve(dataDir), OWNER_FILE), 'utf8')) as OwnerInfo;
    return typeof info.pid === 'number' && typeof info.channel === 'string' ? info : null;
  } catch {
    return null;
  }
}

function abstractName(dir: string): string {
  return `\0helpline-data-dir:${createHash('sha256').update(dir).digest('hex').slice(0, 40)}`;
}

async function holdAbstractName(name: string): Promise<net.Server | null> {
  const server = net.createServer((s) => s.destroy());
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(null) : reject(err)));
    server.listen({ path: name, exclusive: true }, () => {
      // The lock must not keep the process alive on its own.
      server.unref();
      resolve(server);
    });
  });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** macOS and others: `owner.lock` created exclusively, holding the pid; a dead owner's lock is taken over. */
function holdLockFile(dir: string): (() => void) | null {
  const file = path.join(dir, 'owner.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(file, 'utf8').trim());
      if (pid > 0 && pid !== process.pid && pidAlive(pid)) return null;
      rmSync(file, { force: true });
    }
  }
  return null;
}

/** Takes the folder's lock or throws DataDirInUseError naming the owner. */
export async function claimDataDir(dataDir: string): Promise<DataDirOwner> {
  const resolved = path.resolve(dataDir);
  mkdirSync(resolved, { recursive: true, mode: 0o700 });
  const dir = realpathSync(resolved);
  let release: () => Promise<void>;
  if (process.platform === 'linux') {
    const server = await holdAbstractName(abstractName(dir));
    if (!server) throw new DataDirInUseError(dir, readOwnerInfo(dir));
    release = () => new Promise<void>((r) => server.close(() => r()));
  } else {
    const unlock = holdLockFile(dir);
    if (!unlock) throw new DataDirInUseError(dir, readOwnerInfo(dir));
    release = async () => unlock();
  }

  // The channel socket lives in a folder only this user may enter: its mode is the access control.
  const runDir = path.join(dir, 'run');
  mkdirSync(runDir, { recursive: true, mode: 0o700 });
  chmodSync(runDir, 0o700);
  let channelPath = path.join(runDir, 'cli.sock');
  let tmpRunDir: string | null = null;
  if (Buffer.byteLength(channelPath) > MAX_SOCKET_PATH) {
    tmpRunDir = mkdtempSync(path.join(tmpdir(), 'helpline-')); // created 0700
    channelPath = path.join(tmpRunDir, 'cli.sock');
  }
  // We hold the lock: a socket file left here belongs to a dead owner.
  rmSync(channelPath, { force: true });
  const ownerFile = path.join(dir, OWNER_FILE);
  let announced = false;

  return {
    dir,
    channelPath,
    announce(info) {
      const full: OwnerInfo = { pid: process.pid, startedAt: new Date().toISOString(), channel: channelPath, ...info };
      writeFileSync(ownerFile, JSON.stringify(full, null, 2) + '\n', { mode: 0o600 });
      announced = true;
    },
    async release() {
      if (announced) rmSync(ownerFile, { force: true });
      rmSync(channelPath, { force: true });
      if (tmpRunDir) rmSync(tmpRunDir, { recursive: true, force: true });
      await release();
    },
  };
}
