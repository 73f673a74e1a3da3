// /health says the process is alive; /ready says Postgres and Redis both answer (503 otherwise).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/infra/redis.js';
import { claimDataDir, type DataDirOwner } from '../../src/infra/data-dir.js';
import { createTestDatabase, startInstance, uid, type TestServer } from '../helpers.js';

let redis: EmbeddedRedis;
let owner: DataDirOwner;
let db: Awaited<ReturnType<typeof createTestDatabase>>;
let server: TestServer;
const dir = mkdtempSync(path.join(tmpdir(), 'hl-ready-'));

beforeAll(async () => {
  owner = await claimDataDir(dir);
  redis = await startEmbeddedRedis(owner);
  db = await createTestDatabase();
  server = await startInstance({ databaseUrl: db.url, redisPrefix: `t${uid()}`, env: { REDIS_URL: redis.url } });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
  await owner?.release();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('health and readiness', () => {
  it('is alive and ready while its dependencies answer, and not ready when Redis is gone', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ postgres: 'ok', redis: 'ok' });
    await redis.stop();
    const down = await fetch(`${server.url}/ready`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ postgres: 'ok', redis: 'down' });
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('answers unknown routes and malformed bodies with typed errors', async () => {
    const nf = await fetch(`${server.url}/api/nope`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ error: { code: 'not_found', message: 'Not found' } });
    const bad = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"email":' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('invalid_payload');
    const big = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'x'.repeat(200_000), password: 'y' }) });
    expect(big.status).toBe(413);
    expect((await big.json()).error.code).toBe('too_large');
  });
});
