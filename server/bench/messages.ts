// `pnpm bench messages`: the message path of the whole platform against a bare Socket.IO relay (the least
// the job needs, bare-relay.ts), on the same machine in the same run, with the same clients. Each side is
// driven to saturation: its throughput is the highest offered rate it sustains with p99 delivery latency
// (send → the other party's message:new) under 50 ms, every message delivered to the right socket (the
// other party's, not merely a socket of that side), none lost, none duplicated (watched for a window
// after the last delivery) and no error. Rates double until a step fails (a failed step is measured once
// more, the same rule for both sides), then bisect. Afterwards Postgres must hold every message the
// platform acknowledged exactly once, with the seq and body of its acknowledgement. Both servers run as
// child processes; the clients live in this process, whose CPU is reported (a saturated load generator
// caps both sides). The last line is one JSON object.
// The platform runs on a fresh database and Redis prefix. BENCH_INSTANCES=2 runs two platform instances,
// counsellors on the first and visitors on the second, so that every message crosses instances through
// the adapter; with 1 (the default), the adapter writes and reads back its own stream all the same.
// (Until issue 16's decision this bench also measured the platform's own adapter, BENCH_ADAPTERS:
// docs/realtime-adapter.md keeps those figures.)
import { fileURLToPath } from 'node:url';
import { SaturationSearch } from './search.js';
import { createTestDatabase, deleteRedisPrefix, uid } from '../test/helpers.js';
import { spawnInstance, type InstanceProcess } from '../test/processes.js';
import { COUNSELLOR_CAPACITY, COUNSELLORS, INSTANCES, MAX_RATE, PROFILE, VISITORS } from './messages-config.js';
import { Driver, log, NO_RESULT, type StepResult } from './messages-driver.js';
import { barePairs, checkStored, closeAll, durability, platformPairs, startBare } from './messages-setup.js';

/** One system under test: its driver, its search, what it needs torn down and checked afterwards. */
interface Side {
  name: string;
  driver: Driver;
  search: SaturationSearch;
  best: StepResult;
  /** Stops its servers; for the platform also checks Postgres and reads its durability settings. */
  finish(): Promise<{ stored?: Awaited<ReturnType<typeof checkStored>>; pg?: Awaited<ReturnType<typeof durability>> }>;
  /** On failure: kill whatever is left. */
  abort(): Promise<void>;
}

const searchOptions = () => {
  const fixed = process.env.BENCH_RATES?.split(',').map(Number).filter((n) => n > 0);
  return { max: MAX_RATE, ...(fixed?.length ? { fixed } : {}) };
};

/** The platform, on its own database and Redis prefix. */
async function platformSide(): Promise<Side> {
  const db = await createTestDatabase();
  const prefix = `bench${uid()}`;
  const instances: InstanceProcess[] = [];
  const abort = async () => {
    await Promise.all(instances.map((i) => i.kill('SIGKILL')));
    await db.drop().catch(() => {});
    await deleteRedisPrefix(prefix).catch(() => {});
  };
  try {
    for (let i = 0; i < INSTANCES; i++) {
      instances.push(
        await spawnInstance({
          databaseUrl: db.url,
          redisPrefix: prefix,
          nodeArgs: [...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...(PROFILE ? ['--import', fileURLToPath(new URL('./profile-hook.mjs', import.meta.url))] : [])],
          env: { ...(PROFILE ? { BENCH_PROFILE_DIR: PROFILE, BENCH_PROFILE_KIND: process.env.BENCH_PROFILE_KIND ?? 'cpu' } : {}), AUTO_ACCEPT: 'true', DEFAULT_CAPACITY: String(COUNSELLOR_CAPACITY), MESSAGE_RATE_PER_10S: '100000000', WIDGET_CONNECTIONS_PER_IP_PER_MIN: '100000000', LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '10', VISITOR_GRACE_MS: '600000', DISCONNECT_GRACE_MS: '600000', SWEEP_INTERVAL_MS: '5000' },
        }),
      );
    }
    log(`platform (${INSTANCES} instance${INSTANCES > 1 ? 's' : ''}): ${VISITORS} visitors, ${COUNSELLORS} counsellors; setting up…`);
    const pairs = await platformPairs(instances, db.url);
    const around = PROFILE ? () => instances.forEach((i) => i.child.kill('SIGUSR2')) : undefined;
    const driver = new Driver(pairs, false, Object.fromEntries(instances.map((i, n) => [`server${n || ''}`, i.child.pid!])), around);
    return {
      name: 'platform',
      driver,
      search: new SaturationSearch(searchOptions()),
      best: NO_RESULT,
      abort,
      async finish() {
        closeAll(pairs);
        await Promise.all(instances.splice(0).map((i) => i.kill('SIGTERM')));
        const stored = await checkStored(db.url, driver.acked);
        log(`platform stored: ${JSON.stringify(stored)}`);
        const pg = await durability(db.url);
        await abort();
        return { stored, pg };
      },
    };
  } catch (err) {
    await abort();
    throw err;
  }
}

async function relaySide(): Promise<Side> {
  const bare = await startBare();
  const abort = async () => void bare.child.kill('SIGKILL');
  try {
    const pairs = await barePairs(bare.url);
    return {
      name: 'bare',
      driver: new Driver(pairs, true, { relay: bare.child.pid! }),
      search: new SaturationSearch(searchOptions()),
      best: NO_RESULT,
      abort,
      async finish() {
        closeAll(pairs);
        // SIGTERM: a relay started with --cpu-prof writes its profile as it exits.
        const exited = new Promise((r) => bare.child.once('exit', r));
        bare.child.kill('SIGTERM');
        await exited;
        return {};
      },
    };
  } catch (err) {
    await abort();
    throw err;
  }
}

/**
 * The searches of every side in turn, one step each, so that each rate is measured on every side within
 * seconds of the others: on this shared machine its speed changes by half from one minute to the next.
 */
async function saturateTogether(sides: Side[]): Promise<void> {
  // A warm-up step each, not counted: connections opened, statements prepared, code compiled.
  for (const s of sides) log(`${s.name} warm-up → ${JSON.stringify(await s.driver.step(500, 3000, false))}`);
  for (;;) {
    let stepped = false;
    for (const s of sides) {
      const rate = s.search.next();
      if (rate === null) continue;
      stepped = true;
      const r = await s.driver.step(rate);
      log(`${s.name} offered ${rate}/s → ${JSON.stringify(r)}`);
      s.search.report(r.pass);
      if (r.pass && r.rate >= s.best.rate) s.best = r;
    }
    if (!stepped) return;
  }
}

async function main(): Promise<void> {
  const sides: Side[] = [];
  let exitCode = 1;
  try {
    const platformRun = await platformSide();
    sides.push(platformRun);
    // BENCH_SKIP_BARE=1 measures the platform alone (for profiling); the ratio is then 0.
    const relay = process.env.BENCH_SKIP_BARE ? null : await relaySide();
    if (relay) sides.push(relay);
    await saturateTogether(sides);
    let platform: { result: StepResult; faults: Driver['faults']; stored: Awaited<ReturnType<typeof checkStored>>; pg: Awaited<ReturnType<typeof durability>> } | null = null;
    for (const s of sides) {
      const done = await s.finish();
      if (s === platformRun) platform = { result: s.best, faults: s.driver.faults, stored: done.stored!, pg: done.pg! };
    }
    if (!platform) throw new Error('the platform side did not finish');
    const p = platform;
    const relayFaults = relay?.driver.faults;
    // The run is good only if every side sustained some rate and nothing was ever doubled, sent to the
    // wrong person, or acknowledged without being stored exactly once.
    const clean = (f: Driver['faults']) => f.duplicated === 0 && f.misdelivered === 0;
    const ok =
      p.result.rate > 0 && clean(p.faults) && p.stored.missing === 0 && p.stored.duplicated === 0 && p.stored.mismatched === 0 &&
      (!relay || (relay.best.rate > 0 && clean(relayFaults!)));
    sides.length = 0;
    const bare = relay?.best ?? NO_RESULT;

    const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 100) / 100 : 0);
    const first = p.result;
    console.log(
      JSON.stringify({
        bench: 'messages',
        ok,
        visitors: VISITORS,
        instances: INSTANCES,
        adapter: 'stock',
        messages_per_s: first.rate,
        p50_ms: first.p50,
        p99_ms: first.p99,
        lost: first.lost,
        duplicated: first.duplicated,
        misdelivered: first.misdelivered,
        echoed: first.echoed,
        all_steps_duplicated: p.faults.duplicated,
        all_steps_misdelivered: p.faults.misdelivered,
        stored_checked: p.stored.checked,
        stored_missing: p.stored.missing,
        stored_duplicated: p.stored.duplicated,
        stored_mismatched: p.stored.mismatched,
        loadgen_cpu_pct: first.loadgenCpu,
        cpu_pct: first.cpu,
        bare_messages_per_s: bare.rate,
        bare_p99_ms: bare.p99,
        bare_echoed: bare.echoed,
        ...(relayFaults ? { bare_all_steps_duplicated: relayFaults.duplicated, bare_all_steps_misdelivered: relayFaults.misdelivered } : {}),
        bare_loadgen_cpu_pct: bare.loadgenCpu,
        bare_cpu_pct: bare.cpu,
        pg_fsync: p.pg.fsync,
        pg_synchronous_commit: p.pg.synchronous_commit,
        ratio: ratio(first.rate, bare.rate),
      }),
    );
    exitCode = ok ? 0 : 1;
  } finally {
    await Promise.all(sides.map((s) => s.abort()));
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
