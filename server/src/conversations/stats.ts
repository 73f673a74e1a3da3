// The conversations feature's figures for the statistics report and the metrics (counts and times
// only, never a word of a conversation).
import { sql } from 'drizzle-orm';
import type { ConversationChannel } from '@helpline/shared';
import type { Db } from '../db/client.js';
import { execRows } from '../db/client.js';

export interface ChatFigures {
  offered: number;
  answered: number;
  abandoned: number;
  /** Answered within the service-level target. */
  within: number;
  asa: number | null;
  aht: number | null;
}

/** Chats that entered the queue in [from, to). */
export async function chatFigures(db: Db, from: Date, to: Date, targetSeconds: number): Promise<ChatFigures | undefined> {
  const [chat] = await execRows<ChatFigures>(
    db,
    sql`select count(*)::int as offered,
               count(*) filter (where first_accepted_at is not null)::int as answered,
               count(*) filter (where state = 'abandoned' and first_accepted_at is null)::int as abandoned,
               count(*) filter (where first_accepted_at <= enqueued_at + make_interval(secs => ${targetSeconds}))::int as within,
               avg(extract(epoch from (first_accepted_at - enqueued_at)))::float8 as asa,
               avg(extract(epoch from (ended_at - accepted_at))) filter (where ended_at is not null and accepted_at is not null)::float8 as aht
        from conversations where enqueued_at >= ${from.toISOString()} and enqueued_at < ${to.toISOString()}`,
  );
  return chat;
}

export interface ChannelFigures {
  channel: ConversationChannel;
  count: number;
  answered: number;
  abandoned: number;
  /** Answered within the channel's own target. */
  within: number;
  medianFirstAnswer: number | null;
}

/** Per channel, conversations that entered the queue in [from, to), each against its channel's target. */
export async function channelFigures(db: Db, from: Date, to: Date, targets: Record<ConversationChannel, number>): Promise<ChannelFigures[]> {
  return execRows<ChannelFigures>(
    db,
    sql`select channel, count(*)::int as count,
               count(*) filter (where first_accepted_at is not null)::int as answered,
               count(*) filter (where state = 'abandoned' and first_accepted_at is null)::int as abandoned,
               count(*) filter (where first_accepted_at <= enqueued_at + make_interval(secs => (${JSON.stringify(targets)}::text::jsonb ->> channel)::float8))::int as within,
               -- Unanswered ones have no time to first answer (null), which the median leaves out.
               percentile_cont(0.5) within group (order by extract(epoch from (first_accepted_at - enqueued_at)))::float8 as "medianFirstAnswer"
        from conversations where enqueued_at >= ${from.toISOString()} and enqueued_at < ${to.toISOString()}
        group by channel`,
  );
}

/** The queue now, for /metrics: waiting by priority, the longest wait, the active chats. */
export async function queueGauges(db: Db): Promise<{ waitingByPriority: Map<string, number>; longestWaitSeconds: number; active: number }> {
  const rows = await execRows<{ priority: string; n: number }>(db, sql`select priority, count(*)::int as n from conversations where state in ('waiting','offered') group by priority`);
  const [w] = await execRows<{ s: number | null }>(db, sql`select extract(epoch from (now() - min(enqueued_at)))::float8 as s from conversations where state in ('waiting','offered')`);
  const [a] = await execRows<{ n: number }>(db, sql`select count(*)::int as n from conversations where state = 'active'`);
  return { waitingByPriority: new Map(rows.map((r) => [r.priority, r.n])), longestWaitSeconds: Math.max(0, Math.round(w?.s ?? 0)), active: a?.n ?? 0 };
}
