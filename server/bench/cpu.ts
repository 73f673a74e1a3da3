// CPU time of the processes of a benchmark step, read from /proc (Linux): the server, Postgres (every
// backend of the machine's cluster), Redis and this process. A step's figure means little without them:
// a saturated load generator or a Postgres at 100 % caps the step whatever the server does.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_S = 100; // USER_HZ on Linux

function ticksOf(pid: number | string): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) in parentheses: utime is 14th, stime 15th.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]);
  } catch {
    return 0;
  }
}

function pidsNamed(name: string): string[] {
  const out: string[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === name) out.push(d);
    } catch {
      /* gone */
    }
  }
  return out;
}

export interface CpuSample {
  at: number;
  ticks: Record<string, number>;
}

/** Groups: named pids (the servers) plus every process called postgres or redis-server. */
export function sampleCpu(servers: Record<string, number>): CpuSample {
  const ticks: Record<string, number> = {};
  for (const [k, pid] of Object.entries(servers)) ticks[k] = ticksOf(pid);
  ticks.postgres = pidsNamed('postgres').reduce((s, p) => s + ticksOf(p), 0);
  ticks.redis = pidsNamed('redis-server').reduce((s, p) => s + ticksOf(p), 0);
  return { at: performance.now(), ticks };
}

/** % of one core per group between two samples (processes that ended in between count what they left). */
export function cpuBetween(a: CpuSample, b: CpuSample): Record<string, number> {
  const seconds = (b.at - a.at) / 1000;
  const out: Record<string, number> = {};
  for (const k of Object.keys(b.ticks)) out[k] = Math.max(0, Math.round((((b.ticks[k] ?? 0) - (a.ticks[k] ?? 0)) / TICKS_PER_S / seconds) * 100));
  return out;
}
