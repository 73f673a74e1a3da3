// Chat traffic that keeps flowing through a fault, and the ledger to judge it by. A Party is one side of
// a conversation as its real client keeps it: what it was acknowledged, every live `message:new` on
// each socket it used, and what it fetched when it resumed by seq (the widget's and the console's
// transcripts are keyed by message id, so a second delivery of one message is not shown twice). A
// Sender sends steadily like the widget's outbox: one message at a time, and after a retryable refusal
// or no answer, the same clientMsgId again until it is acknowledged. FAULT_TRACE=1 prints each party's
// counts (acknowledged, resent, refused, held, live per socket) when it is judged.
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { ApiError, ChatMessage } from '@helpline/shared';
import { call, type AgentClient, type WidgetClient } from '../helpers.js';

type Client = WidgetClient | AgentClient;

export interface StoredRow {
  id: string;
  seq: number;
  client_msg_id: string;
  body: string;
}

/** The messages of one conversation in Postgres, by seq (ask the database directly, not the platform). */
export const MESSAGES_SQL = 'select id, seq::int as seq, client_msg_id, body from messages where conversation_id = $1 order by seq';

export class Party {
  socket!: Client;
  /** Every message this client holds, by id (live, acknowledged or resumed). */
  readonly transcript = new Map<string, ChatMessage>();
  /** Live deliveries of this conversation, one list per socket, in arrival order. */
  readonly live: ChatMessage[][] = [];
  /** clientMsgId → the acknowledged message. */
  readonly acked = new Map<string, ChatMessage>();
  /** When each acknowledgement arrived (ms since the epoch). */
  readonly ackTimes: number[] = [];
  /** clientMsgId → how many times it was sent. */
  readonly sends = new Map<string, number>();
  /** Refusals (typed errors) and sends that got no answer. */
  readonly refused: ApiError[] = [];
  unanswered = 0;
  constructor(
    readonly name: string,
    readonly kind: 'visitor' | 'staff',
    readonly conversationId: string,
    socket: Client,
  ) {
    this.use(socket);
  }

  /** A new socket (after a reconnect); listens before anything can arrive on it. */
  use(socket: Client): void {
    this.socket = socket;
    const mine: ChatMessage[] = [];
    this.live.push(mine);
    (socket as WidgetClient).on('message:new', (m: ChatMessage) => {
      if (m.conversationId !== this.conversationId) return;
      mine.push(m);
      this.transcript.set(m.id, m);
    });
  }

  /** An acknowledgement: the client holds the message from now on. */
  ack(m: ChatMessage): void {
    this.acked.set(m.clientMsgId, m);
    this.ackTimes.push(Date.now());
    this.transcript.set(m.id, m);
  }

  /** The highest seq up to which this client has every message: where a resume starts. */
  contiguousSeq(): number {
    const seqs = new Set([...this.transcript.values()].map((m) => m.seq));
    let s = 0;
    while (seqs.has(s + 1)) s++;
    return s;
  }

  /** What a reconnecting client does: everything after the last seq it holds without a gap. */
  async resume(): Promise<ChatMessage[]> {
    const afterSeq = this.contiguousSeq();
    const r =
      this.kind === 'visitor'
        ? await call(this.socket, 'conversation:resume', { afterSeq })
        : await call(this.socket, 'conversation:history', { conversationId: this.conversationId, afterSeq });
    if (!r.ok) throw new Error(`${this.name}: resume refused: ${r.error.code}`);
    if (this.kind === 'visitor') expect(r.data.conversation?.id).toBe(this.conversationId);
    const got = r.data.messages as ChatMessage[];
    for (const m of got) this.transcript.set(m.id, m);
    return got;
  }

  /** clientMsgIds sent more than once. */
  resent(): Set<string> {
    return new Set([...this.sends].filter(([, n]) => n > 1).map(([id]) => id));
  }
}

export class Sender {
  private stopping = false;
  private abandoned = false;
  private pending: { clientMsgId: string; body: string } | null = null;
  private n = 0;
  private readonly loop: Promise<void>;
  private ackWaiters: (() => void)[] = [];
  /** A refusal that is not retryable: the test fails on it. */
  fatal: ApiError | null = null;

  constructor(
    readonly party: Party,
    private readonly opts: { everyMs?: number; retryMs?: number; ackTimeoutMs?: number; held?: () => boolean } = {},
  ) {
    this.loop = this.run();
  }

  /** The message being sent (not yet acknowledged), if any. */
  get unacked(): { clientMsgId: string; body: string } | null {
    return this.pending;
  }

  /** Resolves at the next acknowledgement. */
  nextAck(): Promise<void> {
    return new Promise((r) => this.ackWaiters.push(r));
  }

  /** No new messages; resolves once the one under way is acknowledged. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.loop;
  }

  /** The client is gone for good: the message under way stays unacknowledged. */
  async abandon(): Promise<void> {
    this.abandoned = true;
    await this.loop;
  }

  private async run(): Promise<void> {
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const { everyMs = 50, retryMs = 200, ackTimeoutMs = 3_000 } = this.opts;
    const p = this.party;
    for (;;) {
      if (this.abandoned) return;
      if (!this.pending) {
        if (this.stopping) return;
        this.pending = { clientMsgId: randomUUID(), body: `${p.name} ${this.n++}` };
      }
      const s = p.socket;
      // `held`: the client was told to reconnect (a draining server) and sends nothing until it has.
      if (!s.connected || this.opts.held?.()) {
        await pause(20);
        continue;
      }
      const m = this.pending;
      p.sends.set(m.clientMsgId, (p.sends.get(m.clientMsgId) ?? 0) + 1);
      const r = await call<ChatMessage>(s, 'message:send', { conversationId: p.conversationId, ...m }, ackTimeoutMs).catch(() => null);
      if (r?.ok) {
        p.ack(r.data);
        this.pending = null;
        for (const w of this.ackWaiters.splice(0)) w();
        await pause(everyMs);
      } else if (!r) {
        p.unanswered++;
        await pause(retryMs);
      } else if (r.error.retryable) {
        p.refused.push(r.error);
        await pause(retryMs);
      } else {
        this.fatal = r.error;
        this.pending = null;
        return;
      }
    }
  }
}

/**
 * The invariants, judged against what Postgres holds: every acknowledged message stored exactly once,
 * with the seq and id it was acknowledged with; gapless seqs; each party holds exactly the stored
 * messages (nothing missing, nothing extra); no socket received a message twice unless its sender
 * resent it; and, with `ordered`, each socket received the messages that were not resent in seq order.
 * With `appendResentByRedis` (a Redis connection reset under the cross-instance adapter): ioredis resends
 * the append that was in flight at the reset, which Redis may have run already, and the stock adapter
 * then delivers that broadcast twice. Up to two such messages per socket, twice each, are allowed (both
 * clients keep messages by id, and `holds exactly what is stored` still checks what they show).
 */
export function expectConverged(rows: StoredRow[], parties: Party[], senders: Sender[], opts: { ordered?: boolean; appendResentByRedis?: boolean } = {}): void {
  if (process.env.FAULT_TRACE) {
    for (const p of parties) console.log(`${p.name}: acked ${p.acked.size}, resent ${p.resent().size}, unanswered ${p.unanswered}, refused ${p.refused.map((e) => e.code).join(',')}, held ${p.transcript.size}/${rows.length}, live ${p.live.map((l) => l.length).join('+')}`);
  }
  for (const s of senders) expect(s.fatal, `${s.party.name}: refused for good`).toBeNull();
  expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i + 1));
  expect(new Set(rows.map((r) => r.client_msg_id)).size).toBe(rows.length);
  const byClientId = new Map(rows.map((r) => [r.client_msg_id, r]));
  for (const p of parties) {
    for (const [clientMsgId, m] of p.acked) {
      const row = byClientId.get(clientMsgId);
      expect(row, `${p.name}: acknowledged ${m.body} (seq ${m.seq}) is not stored`).toBeDefined();
      expect({ id: row!.id, seq: row!.seq, body: row!.body }).toEqual({ id: m.id, seq: m.seq, body: m.body });
    }
  }
  const stored = rows.map((r) => r.id);
  const resent = new Set(parties.flatMap((p) => [...p.resent()]));
  for (const p of parties) {
    const held = [...p.transcript.values()].sort((a, b) => a.seq - b.seq);
    expect(held.map((m) => m.id), `${p.name} holds exactly what is stored`).toEqual(stored);
    for (const [i, list] of p.live.entries()) {
      const counts = new Map<string, number>();
      for (const m of list) counts.set(m.clientMsgId, (counts.get(m.clientMsgId) ?? 0) + 1);
      let twice = [...counts].filter(([id, n]) => n > 1 && !resent.has(id));
      const byRedis = new Set<string>();
      if (opts.appendResentByRedis && twice.length <= 2 && twice.every(([, n]) => n === 2)) {
        for (const [id] of twice) byRedis.add(id);
        if (twice.length) console.log(`${p.name}'s socket ${i + 1}: ${twice.length} broadcast(s) delivered twice after the reset (an append resent by ioredis)`);
        twice = [];
      }
      expect(twice.map(([id]) => byClientId.get(id)?.body ?? id), `${p.name}'s socket ${i + 1} received these twice`).toEqual([]);
      if (opts.ordered) {
        const seqs = list.filter((m) => !resent.has(m.clientMsgId) && !byRedis.has(m.clientMsgId)).map((m) => m.seq);
        expect(seqs, `${p.name}'s socket ${i + 1} received out of order`).toEqual([...seqs].sort((a, b) => a - b));
      }
    }
  }
}

/**
 * Polls (the deliveries have no "done" event) until every party holds every stored message, or the
 * time is up; returns the rows either way, for expectConverged to judge and name what is missing.
 */
export async function settled(read: () => Promise<StoredRow[]>, parties: Party[], timeoutMs = 10_000): Promise<StoredRow[]> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const rows = await read();
    if (parties.every((p) => rows.every((r) => p.transcript.has(r.id))) || Date.now() > end) return rows;
    await new Promise((r) => setTimeout(r, 100));
  }
}
