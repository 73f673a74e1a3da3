// `pnpm bench messages`: the driver of one side (the platform or the bare relay) and what a step measures.
import type { BenchSocket as Socket } from './raw-client.js';
import { cpuBetween, sampleCpu } from './cpu.js';
import { uid } from '../test/helpers.js';
import { DRAIN_MS, DUPLICATE_WINDOW_MS, P99_LIMIT_MS, STEP_MS, TRACE } from './messages-config.js';

export interface Pair {
  conversationId: string;
  visitor: Socket;
  agent: Socket;
  visitorRoom: string;
  agentRoom: string;
}

export interface StepResult {
  rate: number;
  achieved: number;
  sent: number;
  p50: number;
  p99: number;
  lost: number;
  duplicated: number;
  /** Delivered to a socket that is neither the other party nor the sender. */
  misdelivered: number;
  /** Sent back to the sending socket as well as acknowledged (a packet the job does not need). */
  echoed: number;
  errors: number;
  /** This process's CPU during the step, in % of one core. */
  loadgenCpu: number;
  /** The servers', Postgres' and Redis' CPU during the step, in % of one core (bench/cpu.ts). */
  cpu: Record<string, number>;
  pass: boolean;
}

export const NO_RESULT: StepResult = { rate: 0, achieved: 0, sent: 0, p50: 0, p99: 0, lost: 0, duplicated: 0, misdelivered: 0, echoed: 0, errors: 0, loadgenCpu: 0, cpu: {}, pass: false };

/** A message the platform acknowledged: what Postgres must hold afterwards. */
export interface Acked {
  conversationId: string;
  clientMsgId: string;
  seq: number;
  body: string;
}

export const log = (s: string) => process.stderr.write(`${s}\n`);

export function pct(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Drives one system: the same code for the platform and for the bare relay. */
export class Driver {
  private pending = new Map<string, { at: number; to: Socket; from: Socket }>();
  private received = new Set<string>();
  private latencies: number[] = [];
  private duplicated = 0;
  private misdelivered = 0;
  private echoed = 0;
  private errors = 0;
  private stepTag = '';
  private trace: [number, number][] = [];
  /** Every acknowledgement of every measured step, for the check in Postgres. */
  readonly acked: Acked[] = [];
  /**
   * Over every measured step, passed or not: a duplicate or a message at the wrong person is a fault at
   * any rate (only latency and loss may give way under overload), and the line says so even when no
   * step passed.
   */
  readonly faults = { steps: 0, duplicated: 0, misdelivered: 0 };

  constructor(
    private readonly pairs: Pair[],
    private readonly bare: boolean,
    /** Pids of the servers under test, by name, for their CPU per step. */
    private readonly servers: Record<string, number>,
    /** Called around each measured step (to profile the server during it). */
    private readonly around?: () => void,
  ) {
    // A counsellor's socket serves many pairs: one listener per socket, not per pair.
    for (const s of new Set(pairs.flatMap((p) => [p.visitor, p.agent]))) s.on('message:new', (m: { clientMsgId: string }) => this.onDelivered(m, s));
  }

  private onDelivered(m: { clientMsgId: string }, at: Socket): void {
    const p = this.pending.get(m.clientMsgId);
    if (!p) return; // system lines, earlier steps
    if (at !== p.to) {
      if (at === p.from) this.echoed++;
      else this.misdelivered++;
      return;
    }
    if (this.received.has(m.clientMsgId)) {
      this.duplicated++;
      return;
    }
    this.received.add(m.clientMsgId);
    const now = performance.now();
    this.latencies.push(now - p.at);
    if (TRACE) this.trace.push([p.at, now - p.at]);
  }

  async step(rate: number, stepMs = STEP_MS, measured = true): Promise<StepResult> {
    if (measured) this.around?.();
    this.pending.clear();
    this.received.clear();
    this.latencies = [];
    this.duplicated = 0;
    this.misdelivered = 0;
    this.echoed = 0;
    this.errors = 0;
    this.stepTag = uid(3);
    this.measured = measured;
    let n = 0;
    const cpu0 = process.cpuUsage();
    const others0 = sampleCpu(this.servers);
    const start = performance.now();
    await new Promise<void>((resolve) => {
      const tick = () => {
        const elapsed = performance.now() - start;
        const due = Math.min(Math.floor((rate * Math.min(elapsed, stepMs)) / 1000), Math.floor((rate * stepMs) / 1000));
        while (n < due) this.sendOne(n++);
        if (elapsed >= stepMs) resolve();
        else setTimeout(tick, 2);
      };
      tick();
    });
    const sendSeconds = (performance.now() - start) / 1000;
    const drainEnd = performance.now() + DRAIN_MS;
    while (this.received.size < n && performance.now() < drainEnd) await new Promise((r) => setTimeout(r, 20));
    const cpu = process.cpuUsage(cpu0);
    const others = cpuBetween(others0, sampleCpu(this.servers));
    const loadgenCpu = Math.round(((cpu.user + cpu.system) / 1000 / (performance.now() - start)) * 100);
    // A duplicate or a stray delivery can come after the last expected one.
    await new Promise((r) => setTimeout(r, DUPLICATE_WINDOW_MS));
    if (measured) this.around?.();
    if (TRACE) {
      // The worst latency of each 100 ms of sending: whether a failed p99 is a few stalls or a backlog.
      const win = new Map<number, number>();
      for (const [at, l] of this.trace) {
        const w = Math.floor((at - start) / 100);
        win.set(w, Math.max(win.get(w) ?? 0, l));
      }
      const worst = [...win].sort((a, b) => b[1] - a[1]).slice(0, 8);
      log(`  worst 100 ms windows (latency ms at s into the step): ${worst.map(([w, l]) => `${Math.round(l)}@${w / 10}`).join(' ')}`);
      this.trace = [];
    }
    if (measured) {
      this.faults.steps++;
      this.faults.duplicated += this.duplicated;
      this.faults.misdelivered += this.misdelivered;
    }
    const sorted = this.latencies.slice().sort((a, b) => a - b);
    const lost = n - this.received.size;
    const achieved = Math.round(this.received.size / sendSeconds);
    const p99 = pct(sorted, 99);
    const res: StepResult = {
      rate,
      achieved,
      sent: n,
      p50: Math.round(pct(sorted, 50) * 10) / 10,
      p99: Math.round(p99 * 10) / 10,
      lost,
      duplicated: this.duplicated,
      misdelivered: this.misdelivered,
      echoed: this.echoed,
      errors: this.errors,
      loadgenCpu,
      cpu: others,
      pass: p99 < P99_LIMIT_MS && lost === 0 && this.duplicated === 0 && this.misdelivered === 0 && this.errors === 0,
    };
    // Let stragglers of a failed step land before the next one starts.
    await new Promise((r) => setTimeout(r, res.pass ? 200 : 1500));
    return res;
  }

  private measured = false;

  private sendOne(i: number): void {
    const pair = this.pairs[Math.floor(i / 2) % this.pairs.length]!;
    const fromVisitor = i % 2 === 0;
    const clientMsgId = `b${this.stepTag}-${i}`;
    const body = `message ${i} of the benchmark`;
    const payload: Record<string, unknown> = { conversationId: pair.conversationId, clientMsgId, body };
    if (this.bare) {
      payload.to = fromVisitor ? pair.agentRoom : pair.visitorRoom;
      payload.toNsp = fromVisitor ? '/agent' : '/widget';
    }
    const from = fromVisitor ? pair.visitor : pair.agent;
    this.pending.set(clientMsgId, { at: performance.now(), to: fromVisitor ? pair.agent : pair.visitor, from });
    const measured = this.measured;
    from.emit('message:send', payload, (ack: { ok: boolean; data?: { seq: number; clientMsgId: string; body: string } }) => {
      if (!ack?.ok || ack.data?.clientMsgId !== clientMsgId || ack.data.body !== body) this.errors++;
      else if (measured) this.acked.push({ conversationId: pair.conversationId, clientMsgId, seq: ack.data.seq, body });
    });
  }

}
