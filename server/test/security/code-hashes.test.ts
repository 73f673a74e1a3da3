// Return codes and hotline pick-up codes are stored as keyed hashes (HMAC-SHA256 with SERVER_SECRET):
// a copy of the database alone does not let anyone try codes against them. Rows stored by the earlier
// plain SHA-256 keep working and are re-hashed when their code is used. The secret comes from the
// configuration (required with DATABASE_URL, the same on every instance) or, on the embedded default,
// from DATA_DIR/secret, generated once with 0600 permissions.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { ConfigError, loadConfig } from '../../src/config.js';
import { resolveServerSecret } from '../../src/infra/secret.js';
import { claimDataDir } from '../../src/infra/data-dir.js';
import { api, createStaff, login, startInstance, startTestEnv, TEST_SETTINGS, type TestEnv, type TestServer } from '../helpers.js';
import { spawnInstance } from '../processes.js';
import { joinedChat } from '../faults/support.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
/** The hashes as the platform stored them before: plain SHA-256. */
const legacyReturnCodeHash = (code: string) => sha256('return-code:' + code.toUpperCase().replace(/[\s-]/g, ''));
const legacyPickupHash = (code: string) => sha256(code.toUpperCase().replace(/[^0-9A-Z]/g, ''));

let env: TestEnv;
let sql: postgres.Sql;
beforeAll(async () => {
  env = await startTestEnv({ AUTO_ACCEPT: 'true' });
  sql = postgres(env.databaseUrl, { max: 1, onnotice: () => {} });
}, 60_000);
afterAll(async () => {
  await sql?.end();
  await env?.close();
});

/** A counsellor's chat with a return code, closed with a case record. */
async function caseWithCode() {
  const staff = await createStaff(env.app, 'counsellor');
  const chat = await joinedChat(env.url, staff);
  const gen = await api(env.url, chat.who, 'POST', `/api/conversations/${chat.conversationId}/return-code`, {});
  expect(gen.status).toBe(200);
  const closed = await api(env.url, chat.who, 'POST', `/api/conversations/${chat.conversationId}/close`, { contactType: 'child', categories: ['grooming'], summary: 'met someone in a game' });
  expect(closed.status).toBe(200);
  chat.agent.disconnect();
  chat.child.disconnect();
  return { ...chat, code: gen.body.code as string };
}

const lookUp = async (url: string, who: Awaited<ReturnType<typeof login>>, code: string) => api(url, who, 'POST', '/api/cases/by-return-code', { code });

describe('return codes', () => {
  it('are stored under a keyed hash that another secret cannot find', async () => {
    const { code, conversationId, who } = await caseWithCode();
    const [row] = await sql`select code_hash from return_codes where conversation_id = ${conversationId}`;
    expect(row!.code_hash).not.toBe(legacyReturnCodeHash(code));
    expect(row!.code_hash).not.toContain(code);
    expect((await lookUp(env.url, who, code)).body.cases).toHaveLength(1);

    // The same database under another secret: the code opens nothing.
    const other: TestServer = await startInstance({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix, env: { SERVER_SECRET: 'another-secret-of-at-least-32-characters!' } });
    try {
      expect((await lookUp(other.url, await login(other.url, ...(await creds('counsellor'))), code)).status).toBe(404);
    } finally {
      await other.close();
    }
  });

  it('stored by plain SHA-256 still open their cases, and are re-hashed on first use', async () => {
    const { code, conversationId, who } = await caseWithCode();
    await sql`update return_codes set code_hash = ${legacyReturnCodeHash(code)} where conversation_id = ${conversationId}`;
    const found = await lookUp(env.url, who, code.toLowerCase());
    expect(found.status).toBe(200);
    expect(found.body.cases[0].summary).toBe('met someone in a game');
    const [row] = await sql`select code_hash from return_codes where conversation_id = ${conversationId}`;
    expect(row!.code_hash).not.toBe(legacyReturnCodeHash(code));
    expect((await lookUp(env.url, who, code)).body.cases).toHaveLength(1);
  });

  it('stored by plain SHA-256 still find the child to erase', async () => {
    const { code, conversationId } = await caseWithCode();
    await sql`update return_codes set code_hash = ${legacyReturnCodeHash(code)} where conversation_id = ${conversationId}`;
    const sup = await login(env.url, ...(await creds('supervisor')));
    const erased = await api(env.url, sup, 'POST', '/api/privacy/erase', { returnCode: code });
    expect(erased.status).toBe(200);
    expect(erased.body.erased.caseRecords).toBe(1);
  });
});

describe('hotline pick-up codes', () => {
  const status = (reference: string, pickupCode: string) =>
    fetch(`${env.url}/api/hotline/status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reference, pickupCode }) });

  it('are stored under a keyed hash; plain SHA-256 rows still answer and are re-hashed', async () => {
    const created = await env.app.hotline.create({ urls: ['https://example.com/a'] }, { source: 'form' });
    const [row] = await sql`select pickup_hash from hotline_reports where id = ${created.id}`;
    expect(row!.pickup_hash).not.toBe(legacyPickupHash(created.pickupCode));
    expect((await status(created.reference, created.pickupCode)).status).toBe(200);
    expect((await status(created.reference, 'AAAA-AAAA-AAAA')).status).toBe(404);

    await sql`update hotline_reports set pickup_hash = ${legacyPickupHash(created.pickupCode)} where id = ${created.id}`;
    expect((await status(created.reference, 'AAAA-AAAA-AAAA')).status).toBe(404);
    expect((await status(created.reference, created.pickupCode.toLowerCase())).status).toBe(200);
    const [after] = await sql`select pickup_hash from hotline_reports where id = ${created.id}`;
    expect(after!.pickup_hash).toBe(row!.pickup_hash);
  });
});

describe('SERVER_SECRET', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'hl-secret-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is generated once into DATA_DIR/secret (0600) on the embedded default', async () => {
    const config = loadConfig({ DATA_DIR: path.join(dir, 'data') });
    // Only the owner of the data folder writes in it.
    const owner = await claimDataDir(config.DATA_DIR);
    try {
      const first = await resolveServerSecret(config, owner);
      expect(first.length).toBeGreaterThanOrEqual(32);
      const file = path.join(dir, 'data', 'secret');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await readFile(file, 'utf8')).trim()).toBe(first);
      expect(await resolveServerSecret(config, owner)).toBe(first);
      // A configured secret wins over the file.
      expect(await resolveServerSecret(loadConfig({ DATA_DIR: path.join(dir, 'data'), SERVER_SECRET: 'x'.repeat(32) }), owner)).toBe('x'.repeat(32));
    } finally {
      await owner.release();
    }
  });

  it('is required with DATABASE_URL, and at least 32 characters', async () => {
    await expect(resolveServerSecret(loadConfig({ DATABASE_URL: env.databaseUrl }), null)).rejects.toThrow(ConfigError);
    await expect(resolveServerSecret(loadConfig({ DATABASE_URL: env.databaseUrl }), null)).rejects.toThrow(/SERVER_SECRET/);
    expect(() => loadConfig({ SERVER_SECRET: 'too-short' })).toThrow(/SERVER_SECRET/);
    // The server refuses to start, with the reason.
    await expect(spawnInstance({ databaseUrl: env.databaseUrl, redisPrefix: env.redisPrefix, env: { SERVER_SECRET: '' } })).rejects.toThrow(/instance exited \(2\)[\s\S]*SERVER_SECRET/);
    expect(TEST_SETTINGS.SERVER_SECRET).toBeTruthy();
  }, 60_000);
});

async function creds(role: 'counsellor' | 'supervisor'): Promise<[string, string]> {
  const s = await createStaff(env.app, role);
  return [s.email, s.password];
}
