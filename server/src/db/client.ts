// One database handle for the whole server: postgres.js on a real Postgres, or PGlite embedded in the
// process. Both are drizzle `PgDatabase`s, so every feature runs the same queries on either.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql, type SQL } from 'drizzle-orm';
import * as schema from './schema.js';
import type { DataDirOwner } from '../infra/data-dir.js';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; the same query API as Db. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

/**
 * One raw statement with positional parameters ($1, $2…), prepared once per connection where the driver
 * can: for the few hot statements whose text never changes (the message writer), where building the
 * query through drizzle on every call would cost more than running it. Every table access of such a
 * statement must be possible by index (sequential scans are disabled on its connections).
 */
/** A query parameter as postgres.js sends it (text, numbers, arrays, JSON). */
export type SqlParam = import('postgres').ParameterOrJSON<never>;
/** A parameter drizzle built (typed unknown there) checked into one postgres.js sends. */
export function sqlParam(v: unknown): SqlParam {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  throw new TypeError(`Unsupported SQL parameter of type ${typeof v}`);
}
export type RawQuery = <T>(text: string, params: SqlParam[]) => Promise<T[]>;

/**
 * Connections of the message writer per instance, beside DATABASE_POOL_SIZE and the dispatch loop's one:
 * the batches it has in flight. One: while it commits, the next batch gathers, and is sent the moment the
 * commit returns (classic group commit). More only split the same load into smaller batches, and each
 * statement costs Postgres a wakeup and a plan run, and this process a socket write; they also meet on
 * the same conversations' row locks. Measured in docs/performance.md.
 */
export const HOT_POOL_SIZE = 1;
/** Planner settings of the hot path's connections (see openDatabase). */
export const HOT_CONNECTION_SETTINGS = { enable_seqscan: 'off', plan_cache_mode: 'force_generic_plan' } as const;

export interface Database {
  db: Db;
  kind: 'postgres' | 'pglite';
  query: RawQuery;
  /** The dispatch loop's own connection (the loop is serial per instance), with the hot path's settings. */
  dispatchQuery: RawQuery;
  /** Cheap liveness probe for /ready. */
  ping(): Promise<void>;
  /** PGlite only: a gzipped tarball of the whole database, taken between two queries (a backup). */
  dumpDataDir?(): Promise<Blob>;
  close(): Promise<void>;
}

type PostgresJs = import('postgres').Sql;

/**
 * Seconds before a pool tries to connect again after failed attempts. postgres.js waits 3^n/100 s
 * (capped at 20 s) after the n-th failure in a row: after a 10 s outage a pool slept up to 20 s more
 * before it noticed that Postgres was back, and the sends queued meanwhile were neither stored nor
 * refused. Retrying at most every second costs a refused connection per second.
 */
export const reconnectBackoff = (retries: number) => Math.min(0.05 * 2 ** retries, 1);

/**
 * drizzle runs every query through `sql.unsafe(text, params)`, which postgres.js sends as an unnamed
 * statement; for one with parameters it first sends Parse/Describe and waits for the answer before
 * Bind/Execute: two round trips and two socket writes per query. Named statements, prepared once per
 * connection and keyed by their text, take one. Transactions and savepoints hand drizzle a new `sql`,
 * which gets the same treatment.
 */
function namedStatements<T extends PostgresJs>(sql: T): T {
  return new Proxy(sql, {
    get(target, prop, receiver) {
      if (prop === 'unsafe') {
        return (text: string, params?: SqlParam[], options?: Record<string, unknown>) => target.unsafe(text, params, { prepare: true, ...options });
      }
      if (prop === 'begin' || prop === 'savepoint') {
        const original = Reflect.get(target, prop, receiver) as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          const last = args.length - 1;
          const fn = args[last] as (tx: PostgresJs) => unknown;
          args[last] = (tx: PostgresJs) => fn(namedStatements(tx));
          return original.apply(target, args);
        };
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

/**
 * Postgres when `url` is given; otherwise PGlite in the data folder, which only its owner (the holder of
 * its lock, see infra/data-dir.ts) may open.
 */
export async function openDatabase(opts: { url?: string | undefined; owner?: DataDirOwner; poolSize?: number }): Promise<Database> {
  if (opts.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    // Migrations on a dedicated single connection under an advisory lock: several instances may start at once.
    const migrator = postgres(opts.url, { max: 1, onnotice: () => {} });
    try {
      await migrator`select pg_advisory_lock(727274)`;
      await migrate(drizzle(migrator), { migrationsFolder: MIGRATIONS_DIR });
      await migrator`select pg_advisory_unlock(727274)`;
    } finally {
      await migrator.end({ timeout: 5 });
    }
    const client = postgres(opts.url, {
      max: opts.poolSize ?? 20,
      onnotice: () => {},
      // Fail fast while Postgres is down so callers can answer "unavailable, retry".
      connect_timeout: 5,
      backoff: reconnectBackoff,
      // Statements are prepared (see namedStatements) but still planned for their parameters on every
      // run, exactly as unnamed ones were: a plan chosen while a table was small is never kept.
      connection: { plan_cache_mode: 'force_custom_plan' },
    });
    const db = drizzle(namedStatements(client), { schema }) as unknown as Db;
    // The hot path's own connections: the message writer's batches (HOT_POOL_SIZE) and the dispatch
    // loop's offer (1; the loop is serial per instance). Their statements never wait behind a busy
    // shared pool or behind each other, and they run with planner settings of their own: each statement
    // is prepared once and keeps one generic plan, with sequential scans ruled out. A plan made while a
    // table was small must not keep scanning it once it is large (docs/performance.md), and re-planning
    // every batch costs more than running it.
    const url = opts.url;
    const hotClients: ReturnType<typeof postgres>[] = [];
    function hotQuery(max: number, extra: Record<string, string> = {}): RawQuery {
      const hot = postgres(url, { max, onnotice: () => {}, connect_timeout: 5, backoff: reconnectBackoff, connection: { ...HOT_CONNECTION_SETTINGS, ...extra } });
      hotClients.push(hot);
      // Connect and learn the array types now, in the background (a catalog query, docs/performance.md),
      // so that the first child's message after a start does not wait for it.
      void hot`select 1`.catch(() => {});
      return async <T>(text: string, params: SqlParam[]) => (await hot.unsafe(text, params, { prepare: true })) as unknown as T[];
    }
    return {
      db,
      kind: 'postgres',
      query: hotQuery(HOT_POOL_SIZE),
      // An offer is a routing decision that the next pass can make again, not a record: its commit does
      // not wait for the WAL flush (docs/performance.md). It stays atomic and
      // ordered; any later durable commit (the accept) flushes it too. Should Postgres itself crash, at
      // most its last fraction of a second of offers is forgotten: those conversations are waiting
      // again and are offered anew, and an accept of a forgotten offer is refused. Conversations,
      // messages, accepts and every other write keep synchronous commits.
      dispatchQuery: hotQuery(1, { synchronous_commit: 'off' }),
      ping: async () => {
        await client`select 1`;
      },
      close: async () => {
        await Promise.all([client, ...hotClients].map((c) => c.end({ timeout: 5 })));
      },
    };
  }
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  if (!opts.owner) throw new Error('The embedded database is opened only by the owner of its data folder (claimDataDir)');
  const dir = path.join(opts.owner.dir, 'pglite');
  mkdirSync(dir, { recursive: true });
  const client = await PGlite.create(dir);
  const db = drizzle(client, { schema });
  await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
  // One embedded connection serves every caller, the hot path's statements included.
  const pgliteQuery: RawQuery = async <T>(text: string, params: unknown[]) => (await client.query<T>(text, params)).rows;
  return {
    db: db as unknown as Db,
    kind: 'pglite',
    query: pgliteQuery,
    dispatchQuery: pgliteQuery,
    ping: async () => {
      await client.query('select 1');
    },
    dumpDataDir: () => client.dumpDataDir('gzip'),
    close: () => client.close(),
  };
}

/** Rows of a raw `db.execute` on either driver (postgres.js returns an array, PGlite `{ rows }`). */
export async function execRows<T>(db: DbOrTx, query: SQL): Promise<T[]> {
  const res = (await db.execute(query)) as unknown;
  if (Array.isArray(res)) return res as T[];
  return ((res as { rows?: T[] }).rows ?? []) as T[];
}

export { sql };
