// The Postgres driver after a connection reset. postgres.js 3.4.9 lost a query written to a connection
// between the socket's 'error' (ECONNRESET) and its 'close' (the pool also pipelines into busy
// connections): it stayed pending forever, and the connection then hung or answered later queries
// with the wrong rows. Seen as a message writer that never answered again after Postgres crashed
// mid-statement. patches/postgres@3.4.9.patch refuses such a query (CONNECTION_CLOSED: 'unavailable',
// retryable) and resets the connection's write state on close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import postgres from 'postgres';
import { createTestDatabase, eventually } from '../helpers.js';
import { reconnectBackoff } from '../../src/db/client.js';
import { queryDb, tcpProxy, type TcpProxy } from './support.js';

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let proxy: TcpProxy;
let sql: postgres.Sql;

beforeAll(async () => {
  db = await createTestDatabase();
  const u = new URL(db.url);
  proxy = await tcpProxy({ host: u.hostname, port: Number(u.port || 5432) });
  u.port = String(proxy.port);
  sql = postgres(u.toString(), { max: 1, onnotice: () => {}, connect_timeout: 5, backoff: reconnectBackoff });
});
afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await proxy?.close();
  await db?.drop();
});

/** Settles within `ms`, or says it did not. */
const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p.then((v) => ({ value: v }), (e: { code?: string }) => ({ error: e.code })), new Promise((r) => setTimeout(() => r('still pending'), ms))]);

describe('postgres.js after ECONNRESET', () => {
  it('refuses a query sent between the error and the close, and answers later queries with their own rows', async () => {
    const value = async (n: number) => ((await sql.unsafe('select $1::int as x', [n], { prepare: true })) as unknown as { x: number }[])[0]!.x;
    expect(await value(0)).toBe(0);
    const marker = `sleep-${Date.now()}`;
    const inFlight = sql.unsafe(`select pg_sleep(5) as "${marker}"`);
    // The next query goes out the moment the first one fails: before the socket has closed.
    const gap = inFlight.then(() => 'not reset', () => value(100));
    await eventually(async () => (await queryDb<{ n: number }>(db.url, `select count(*)::int as n from pg_stat_activity where query like $1`, [`%${marker}%`]))[0]!.n > 0, 5_000, 20);
    proxy.reset();
    expect(await within(gap, 3_000)).toEqual({ error: 'CONNECTION_CLOSED' });
    for (const n of [1, 2, 3]) expect(await within(value(n), 3_000)).toEqual({ value: n });
  });
});
