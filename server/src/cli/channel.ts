// The running platform's door for `pnpm cli` on the embedded default: HTTP on a Unix socket inside the
// data folder (infra/data-dir.ts), in a folder only this user may enter. The CLI never opens the data
// folder itself, so an account it adds is the running platform's at once, and one it disables loses its
// sessions and sockets on every instance at once, through the same code as the admin console.
import http from 'node:http';
import { chmodSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { staffCreateSchema } from '../admin/schemas.js';
import type { StaffActor } from '../admin/staff.js';
import { AppError, httpStatusOf, loggableError, toApiError } from '../http/errors.js';
import { parse } from '../http/validate.js';
import { CHANNEL_PATHS, disableSchema } from './commands.js';

const CLI: StaffActor = { type: 'system', via: 'cli' };
const MAX_BODY = 64 * 1024;

function readJson(req: http.IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new AppError('too_large', 'Request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (!chunks.length) return resolve({});
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new AppError('invalid_payload', 'Malformed JSON'));
      }
    });
    req.on('error', reject);
  });
}

export interface CliChannel {
  close(): Promise<void>;
}

export async function startCliChannel(app: FastifyInstance, socketPath: string): Promise<CliChannel> {
  const route = async (req: http.IncomingMessage): Promise<[number, unknown]> => {
    const body = req.method === 'POST' ? await readJson(req) : {};
    if (req.method === 'GET' && req.url === CHANNEL_PATHS.staff) return [200, { staff: await app.staffAdmin.list() }];
    if (req.method === 'POST' && req.url === CHANNEL_PATHS.staff) return [201, await app.staffAdmin.create(CLI, parse(staffCreateSchema, body))];
    if (req.method === 'POST' && req.url === CHANNEL_PATHS.disable) return [200, await app.staffAdmin.disableByEmail(CLI, parse(disableSchema, body).email)];
    throw new AppError('not_found', 'Not found');
  };
  const server = http.createServer((req, res) => {
    // A backup (cli/backup.ts): the embedded database as PGlite dumps it, between two queries.
    if (req.method === 'GET' && req.url === CHANNEL_PATHS.backup && app.database.dumpDataDir) {
      void app.database
        .dumpDataDir()
        .then(async (blob) => res.writeHead(200, { 'content-type': 'application/gzip' }).end(Buffer.from(await blob.arrayBuffer())))
        .catch((err: unknown) => {
          app.log.error({ err: loggableError(err) }, 'cli channel backup failed');
          res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 'internal', message: 'Backup failed' } }));
        });
      return;
    }
    route(req)
      .then(([status, data]) => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(data));
      })
      .catch((err: unknown) => {
        const error = toApiError(err);
        if (error.code === 'internal' || error.code === 'unavailable') app.log.error({ err: loggableError(err) }, 'cli channel request failed');
        res.writeHead(httpStatusOf(error), { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  // The folder is already 0700; the socket itself too, should the folder ever be opened up.
  chmodSync(socketPath, 0o600);
  server.unref();
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
