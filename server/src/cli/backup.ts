// `pnpm cli backup FILE` / `pnpm cli restore FILE` on the embedded default (PGlite). The data folder has
// one owner (infra/data-dir.ts): while the platform runs, the backup is made by the platform itself
// (its channel's GET /v1/backup, a tarball PGlite takes between two queries); when nothing runs, the
// CLI takes the folder's lock and opens the database itself. A restore goes only into a folder nobody
// owns and that holds no database yet. With DATABASE_URL, use pg_dump (docs/deploy.md).
import http from 'node:http';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { claimDataDir, readOwnerInfo } from '../infra/data-dir.js';
import { CHANNEL_PATHS } from './commands.js';

export class BackupError extends Error {}

const pgliteDir = (dataDir: string) => path.join(dataDir, 'pglite');

/** The running owner's backup over its channel, or null when no platform answers there. */
function backupFromOwner(dataDir: string): Promise<Buffer | null> {
  const owner = readOwnerInfo(dataDir);
  if (!owner) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: owner.channel, method: 'GET', path: CHANNEL_PATHS.backup }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode === 200) resolve(body);
        else reject(new BackupError(`The running platform refused the backup (${res.statusCode}): ${body.toString('utf8').slice(0, 300)}`));
      });
    });
    req.on('error', (err: NodeJS.ErrnoException) => (err.code === 'ENOENT' || err.code === 'ECONNREFUSED' ? resolve(null) : reject(err)));
    req.end();
  });
}

async function openPglite(dir: string, loadDataDir?: Blob) {
  const { PGlite } = await import('@electric-sql/pglite');
  return PGlite.create(dir, loadDataDir ? { loadDataDir } : {});
}

/** Writes the backup to `file` (atomically); says how it was made. */
export async function backupEmbedded(dataDir: string, file: string): Promise<'running platform' | 'data folder'> {
  let bytes = await backupFromOwner(dataDir);
  let via: 'running platform' | 'data folder' = 'running platform';
  if (!bytes) {
    // Nobody runs: take the lock (DataDirInUseError if a platform starts meanwhile) and read it ourselves.
    const owner = await claimDataDir(dataDir);
    try {
      if (!existsSync(pgliteDir(owner.dir))) throw new BackupError(`There is no embedded database in ${owner.dir}`);
      const db = await openPglite(pgliteDir(owner.dir));
      try {
        bytes = Buffer.from(await (await db.dumpDataDir('gzip')).arrayBuffer());
      } finally {
        await db.close();
      }
    } finally {
      await owner.release();
    }
    via = 'data folder';
  }
  const tmp = `${file}.partial`;
  writeFileSync(tmp, bytes, { mode: 0o600 });
  renameSync(tmp, file);
  return via;
}

/** Loads a backup into a data folder that nobody owns and that holds no database. */
export async function restoreEmbedded(dataDir: string, file: string): Promise<void> {
  const bytes = readFileSync(file);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const owner = await claimDataDir(dataDir);
  try {
    const dir = pgliteDir(owner.dir);
    if (existsSync(dir) && readdirSync(dir).length > 0) {
      throw new BackupError(`${owner.dir} already holds a database: restore into an empty data folder (a new DATA_DIR), then point the platform at it`);
    }
    const db = await openPglite(dir, new Blob([bytes]));
    try {
      await db.query('select 1');
    } finally {
      await db.close();
    }
  } finally {
    await owner.release();
  }
}
