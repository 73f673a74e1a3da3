// `pnpm cli` on the embedded default: the commands are carried out by the running platform, reached on
// its channel socket (cli/channel.ts), whose path the owner of the data folder records in owner.json.
import http from 'node:http';
import type { ApiError, StaffAccount } from '@helpline/shared';
import { readOwnerInfo } from '../infra/data-dir.js';
import { AppError } from '../http/errors.js';
import { CHANNEL_PATHS, type StaffOps } from './commands.js';

export class PlatformNotRunningError extends Error {
  constructor(dataDir: string) {
    super(
      `The platform is not running on the data folder ${dataDir}.\n` +
        'Start it (`pnpm start`), then run this command again: on the embedded default the CLI asks the running\n' +
        'platform to make the change, and never opens its data folder itself.',
    );
  }
}

function request<T>(socketPath: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath, method, path, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let parsed: unknown;
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return reject(new Error(`The platform answered ${res.statusCode} without JSON`));
        }
        const error = (parsed as { error?: ApiError }).error;
        if (error) return reject(new AppError(error.code, error.message, error.fields ? { fields: error.fields } : {}));
        resolve(parsed as T);
      });
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The running platform's staff operations, or PlatformNotRunningError. */
export async function channelOps(dataDir: string): Promise<StaffOps> {
  const owner = readOwnerInfo(dataDir);
  if (!owner) throw new PlatformNotRunningError(dataDir);
  const socketPath = owner.channel;
  try {
    await request(socketPath, 'GET', CHANNEL_PATHS.staff);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A folder left by a platform that was killed: its owner.json names a socket nobody listens on.
    if (code === 'ENOENT' || code === 'ECONNREFUSED') throw new PlatformNotRunningError(dataDir);
    throw err;
  }
  return {
    list: async () => (await request<{ staff: StaffAccount[] }>(socketPath, 'GET', CHANNEL_PATHS.staff)).staff,
    add: (input) => request<StaffAccount>(socketPath, 'POST', CHANNEL_PATHS.staff, input),
    disable: (email) => request<StaffAccount>(socketPath, 'POST', CHANNEL_PATHS.disable, { email }),
    close: async () => {},
  };
}
