// The settings of `pnpm bench messages`, from its environment (see messages.ts).
export const VISITORS = Number(process.env.BENCH_VISITORS ?? 1000);
export const COUNSELLOR_CAPACITY = 20;
export const COUNSELLORS = Math.ceil(VISITORS / COUNSELLOR_CAPACITY);
export const STEP_MS = Number(process.env.BENCH_STEP_MS ?? 3000);
export const DRAIN_MS = 2000;
/** After the last delivery, how long a duplicate would still be counted. */
export const DUPLICATE_WINDOW_MS = 1000;
export const P99_LIMIT_MS = 50;
export const MAX_RATE = 64_000;
/** BENCH_PROFILE_DIR=dir: a CPU profile of the server for each measured step (not the set-up), in dir;
 * with BENCH_PROFILE_KIND=heap, a sampling profile of its allocations instead. */
export const PROFILE = process.env.BENCH_PROFILE_DIR;
/** BENCH_TRACE=1: after each step, its worst 100 ms windows of sending (where the tail comes from). */
export const TRACE = Boolean(process.env.BENCH_TRACE);
export const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 1);
if (INSTANCES !== 1 && INSTANCES !== 2) throw new Error('BENCH_INSTANCES: 1 or 2');
