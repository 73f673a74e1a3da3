// Group commit for chat messages. Concurrent sends are gathered while the previous batch commits and
// written together by ONE statement (one round trip, one commit, one WAL flush at safe durability
// settings) instead of a transaction per message. The statement's text never changes (the batch is one
// array parameter per column), so it is prepared once per connection and costs no query building.
//
// What the statement does, in order:
//   1. locks the batch's conversations FOR UPDATE in id order (two batches sharing a conversation
//      serialise on its row lock and never deadlock) and reads their latest versions;
//   2. judges each request against the locked row: no such conversation, not this sender's, a resend
//      (answered with the stored message), a repeat of an earlier request of the same batch, a state in
//      which this sender may not write, or new;
//   3. numbers the new messages per conversation after the locked counter, advances each counter by its
//      number of new messages and inserts them all in one multi-row INSERT.
// Every table access must stay an index lookup: a scan of messages per batch once cost more than all the
// rest together. The statement keeps one generic plan on connections where sequential scans are ruled
// out (HOT_CONNECTION_SETTINGS), and the resend lookup cannot be turned into a join over the whole
// table (LIMIT 1 keeps it a per-request index probe). No per-row lookup may also test the batch's whole
// id array: `id = counted.c and id = any($2)` compared every row with every id, and a batch of 500 cost
// Postgres 2.5 times as much per message as a batch of 50.
// Invariants kept: a caller's promise settles only after the commit; seqs stay gapless per conversation
// (counter and inserts in one statement, under the row lock); (conversation, clientMsgId) is the
// identity; state and authorisation are checked under the lock and refused per request with typed errors.
import type { ConversationChannel, ConversationState, MessageSender } from '@helpline/shared';
import { HOT_POOL_SIZE, type RawQuery } from '../db/client.js';
import { AppError } from '../http/errors.js';
import type { conversations, messages } from './tables.js';

type MessageRow = typeof messages.$inferSelect;
type ConversationRow = typeof conversations.$inferSelect;
/** The conversation as locked by the batch: what the caller needs to deliver and check the message. */
export type WrittenConversation = Pick<ConversationRow, 'id' | 'channel' | 'state' | 'visitorId' | 'assignedStaffId' | 'riskFlaggedAt' | 'lastSeq'>;

export type WriteSender =
  | { type: 'visitor'; visitorId: string }
  /** Staff write where they are the assignee; supervisors wherever they may watch. */
  | { type: 'staff'; staffId: string; supervisor: boolean };

export interface WriteRequest {
  conversationId: string;
  clientMsgId: string;
  sender: WriteSender;
  body: string;
  /** States of the conversation in which this sender may write. */
  allowed: readonly ConversationState[];
}

export interface WriteResult {
  message: MessageRow;
  /** The conversation as locked in the batch (lastSeq as after the batch). */
  conversation: WrittenConversation;
  /** True when the message existed already (a resend). */
  existing: boolean;
}

interface Pending {
  req: WriteRequest;
  resolve(r: WriteResult): void;
  reject(e: unknown): void;
}

type Status = 'not_found' | 'forbidden' | 'existing' | 'repeat' | 'invalid_state' | 'new';

interface Row {
  o: number;
  status: Status;
  id: string | null;
  seq: number | null;
  client_msg_id: string;
  sender: MessageSender | null;
  sender_staff_id: string | null;
  body: string | null;
  system_event: string | null;
  system_params: string | null;
  created_at: Date | string | null;
  c_channel: ConversationChannel | null;
  c_state: ConversationState | null;
  c_visitor_id: string | null;
  c_assigned_staff_id: string | null;
  c_risk_flagged_at: Date | string | null;
  c_last_seq: number | null;
}

export const WRITE_BATCH = `
with req as (
  select * from unnest($1::int[], $2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::text[])
    as r(o, c, m, s, st, v, sup, a, b)
), locked as materialized (
  select id, channel, state, visitor_id, assigned_staff_id, risk_flagged_at, last_seq
  from conversations where id = any($2::uuid[]) order by id for update
), existing as materialized (
  select m.* from (select distinct c, m from req) r cross join lateral (
    select * from messages m where m.conversation_id = r.c and m.client_msg_id = r.m limit 1
  ) m
), pre as (
  select r.*, l.id as l_id, l.state as l_state, l.last_seq as l_last_seq, e.id as e_id,
    case
      when l.id is null then 'not_found'
      when r.v is not null and l.visitor_id is distinct from r.v then 'forbidden'
      when r.v is null and r.sup <> 't' and l.assigned_staff_id is distinct from r.st then 'forbidden'
      when e.id is not null then 'existing'
    end as early
  from req r
  left join locked l on l.id = r.c
  left join existing e on e.conversation_id = r.c and e.client_msg_id = r.m
), judged as (
  select p.*,
    coalesce(p.early, case
      when row_number() over (partition by p.c, p.m, p.early is null order by p.o) > 1 then 'repeat'
      when not (p.l_state = any(string_to_array(p.a, ','))) then 'invalid_state'
      else 'new'
    end) as status
  from pre p
), fresh as (
  select j.o, j.c, j.m, j.s, j.st, j.b, j.l_last_seq + row_number() over (partition by j.c order by j.o) as seq
  from judged j where j.status = 'new'
), counted as (
  select c, max(seq) as last_seq from fresh group by c
), bump as (
  update conversations set last_seq = counted.last_seq from counted
  where conversations.id = counted.c
  returning conversations.id
), ins as (
  insert into messages (conversation_id, seq, client_msg_id, sender, sender_staff_id, body)
  select c, seq, m, s, st, b from fresh
  returning id, conversation_id, seq, client_msg_id, sender, sender_staff_id, body, system_event, system_params, created_at
)
select j.o, j.status,
  coalesce(i.id, e.id) as id, coalesce(i.seq, e.seq) as seq, j.m as client_msg_id,
  coalesce(i.sender, e.sender) as sender, coalesce(i.sender_staff_id, e.sender_staff_id) as sender_staff_id,
  coalesce(i.body, e.body) as body, e.system_event, e.system_params, coalesce(i.created_at, e.created_at) as created_at,
  l.channel as c_channel, l.state as c_state, l.visitor_id as c_visitor_id, l.assigned_staff_id as c_assigned_staff_id,
  l.risk_flagged_at as c_risk_flagged_at, coalesce(k.last_seq, l.last_seq) as c_last_seq
from judged j
left join ins i on i.conversation_id = j.c and i.client_msg_id = j.m and j.status = 'new'
left join existing e on e.conversation_id = j.c and e.client_msg_id = j.m and j.status = 'existing'
left join locked l on l.id = j.c
left join counted k on k.c = j.c
`;

const asDate = (v: Date | string) => (v instanceof Date ? v : new Date(v));

function toResult(r: Row, conversationId: string): WriteResult {
  return {
    message: {
      id: r.id!,
      conversationId,
      seq: Number(r.seq),
      clientMsgId: r.client_msg_id,
      sender: r.sender!,
      senderStaffId: r.sender_staff_id,
      body: r.body!,
      systemEvent: r.system_event as MessageRow['systemEvent'],
      systemParams: r.system_params,
      createdAt: asDate(r.created_at!),
    },
    conversation: {
      id: conversationId,
      channel: r.c_channel!,
      state: r.c_state!,
      visitorId: r.c_visitor_id,
      assignedStaffId: r.c_assigned_staff_id,
      riskFlaggedAt: r.c_risk_flagged_at === null ? null : asDate(r.c_risk_flagged_at),
      lastSeq: Number(r.c_last_seq),
    },
    existing: r.status === 'existing',
  };
}

export function createMessageWriter(query: RawQuery, opts: { maxBatch?: number; concurrency?: number } = {}) {
  const maxBatch = opts.maxBatch ?? 500;
  // At low load every message is a batch of one and waits for nobody; at high load the batches grow
  // while the one before commits (see HOT_POOL_SIZE).
  const concurrency = opts.concurrency ?? HOT_POOL_SIZE;
  let queue: Pending[] = [];
  let inFlight = 0;

  async function writeBatch(batch: Pending[]): Promise<(WriteResult | AppError)[]> {
    // One array per column: the statement's text is the same for every batch size.
    const reqs = batch.map((p) => p.req);
    const rows = await query<Row>(WRITE_BATCH, [
      reqs.map((_, o) => o),
      reqs.map((r) => r.conversationId),
      reqs.map((r) => r.clientMsgId),
      reqs.map((r) => (r.sender.type === 'visitor' ? 'visitor' : 'counsellor')),
      reqs.map((r) => (r.sender.type === 'staff' ? r.sender.staffId : null)),
      reqs.map((r) => (r.sender.type === 'visitor' ? r.sender.visitorId : null)),
      // 't'/'f' as text: drivers disagree on how a JS boolean array is sent.
      reqs.map((r) => (r.sender.type === 'staff' && r.sender.supervisor ? 't' : 'f')),
      reqs.map((r) => r.allowed.join(',')),
      reqs.map((r) => r.body),
    ]);
    const byOrder = new Map(rows.map((r) => [Number(r.o), r]));
    const out: (WriteResult | AppError)[] = [];
    // A request repeating an earlier one of the same batch shares its result (as a resend).
    const firstOfKey = new Map<string, WriteResult | AppError>();
    batch.forEach(({ req }, o) => {
      const r = byOrder.get(o);
      const key = `${req.conversationId}\u0000${req.clientMsgId}`;
      let res: WriteResult | AppError;
      if (!r) res = new AppError('internal', 'The message was not written');
      else if (r.status === 'not_found') res = new AppError('not_found', 'No such conversation');
      else if (r.status === 'forbidden') {
        res = new AppError('forbidden', req.sender.type === 'visitor' ? 'Not your conversation' : 'This conversation is not assigned to you');
      } else if (r.status === 'invalid_state') res = new AppError('invalid_state', `The conversation is ${r.c_state}`);
      else if (r.status === 'repeat') {
        const first = firstOfKey.get(key);
        res = !first ? new AppError('internal', 'The message was not written') : first instanceof AppError ? first : { ...first, existing: true };
      } else res = toResult(r, req.conversationId);
      if ((r?.status === 'new' || r?.status === 'invalid_state') && !firstOfKey.has(key)) firstOfKey.set(key, res);
      out.push(res);
    });
    return out;
  }

  async function run(batch: Pending[], attempt = 0): Promise<void> {
    try {
      const results = await writeBatch(batch);
      batch.forEach((p, i) => {
        const r = results[i]!;
        if (r instanceof AppError) p.reject(r);
        else p.resolve(r);
      });
    } catch (err) {
      // The statement's snapshot is taken before it waits for the row locks: a concurrent batch (of
      // this instance or another) that stored one of these clientMsgIds meanwhile makes the insert
      // fail on the unique index. That batch has committed by now, so the same batch again, with a
      // fresh snapshot, answers those requests as resends.
      if ((err as { code?: string }).code === '23505' && attempt < 3) return run(batch, attempt + 1);
      // Otherwise retry its requests one by one so one bad request cannot fail the others; a single
      // one reports its error.
      if (batch.length === 1) batch[0]!.reject(err);
      else for (const p of batch) await run([p]);
    }
  }

  async function flush(): Promise<void> {
    if (inFlight >= concurrency) return;
    inFlight++;
    try {
      while (queue.length) {
        const batch = queue.slice(0, maxBatch);
        queue = queue.slice(batch.length);
        await run(batch);
      }
    } finally {
      inFlight--;
    }
  }

  // Requests are gathered until the end of the event loop's current pass (setImmediate runs after the
  // pass's I/O callbacks): the messages read from many sockets in one pass make one batch instead of a
  // statement each, which on a busy machine costs each side a wakeup per statement.
  let gathering = false;
  const startFlush = () => {
    gathering = false;
    void flush();
  };

  return {
    /** Resolves after the statement holding this message has committed. */
    write(req: WriteRequest): Promise<WriteResult> {
      return new Promise<WriteResult>((resolve, reject) => {
        queue.push({ req, resolve, reject });
        if (!gathering) {
          gathering = true;
          setImmediate(startFlush);
        }
      });
    },
  };
}
export type MessageWriter = ReturnType<typeof createMessageWriter>;
