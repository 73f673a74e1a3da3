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

export interface ChannelFigures {
  channel: ConversationChannel;
  count: number;
  answered: number;
  abandoned: number;
  /** Answered within the channel's own target. */
  within: number;
  medianFirstAnswer: number | null;
}

/**
 * Conversations that entered the queue in [from, to): the totals (against the service-level target)
 * and, per channel, the same against each channel's own target with the median time to a first
 * answer. One read of the period's conversations for both; times as float8 (date_part), which sorts
 * and sums faster than extract's numeric (a year: docs/performance.md).
 */
export async function periodFigures(
  db: Db,
  from: Date,
  to: Date,
  targetSeconds: number,
  targets: Record<ConversationChannel, number>,
): Promise<{ chat: ChatFigures; channels: ChannelFigures[] }> {
  type Row = ChannelFigures & { within_sl: number; wait_sum: number | null; handle_sum: number | null; handled: number };
  const rows = await execRows<Row>(
    db,
    sql`select channel, count(*)::int as count,
               count(*) filter (where first_accepted_at is not null)::int as answered,
               count(*) filter (where state = 'abandoned' and first_accepted_at is null)::int as abandoned,
               count(*) filter (where first_accepted_at <= enqueued_at + make_interval(secs => (${JSON.stringify(targets)}::text::jsonb ->> channel)::float8))::int as within,
               count(*) filter (where first_accepted_at <= enqueued_at + make_interval(secs => ${targetSeconds}))::int as within_sl,
               sum(date_part('epoch', first_accepted_at - enqueued_at)) as wait_sum,
               sum(date_part('epoch', ended_at - accepted_at)) filter (where ended_at is not null and accepted_at is not null) as handle_sum,
               count(*) filter (where ended_at is not null and accepted_at is not null)::int as handled,
               -- Unanswered ones have no time to first answer (null), which the median leaves out.
               percentile_cont(0.5) within group (order by date_part('epoch', first_accepted_at - enqueued_at)) as "medianFirstAnswer"
        from conversations where enqueued_at >= ${from.toISOString()} and enqueued_at < ${to.toISOString()}
        group by channel`,
  );
  const sum = (f: (r: Row) => number | null) => rows.reduce((a, r) => a + (f(r) ?? 0), 0);
  const answered = sum((r) => r.answered);
  const handled = sum((r) => r.handled);
  const chat: ChatFigures = {
    offered: sum((r) => r.count),
    answered,
    abandoned: sum((r) => r.abandoned),
    within: sum((r) => r.within_sl),
    asa: answered ? sum((r) => r.wait_sum) / answered : null,
    aht: handled ? sum((r) => r.handle_sum) / handled : null,
  };
  const channels = rows.map(({ channel, count, answered, abandoned, within, medianFirstAnswer }) => ({ channel, count, answered, abandoned, within, medianFirstAnswer }));
  return { chat, channels };
}

/** The queue now, for /metrics: waiting by priority, the longest wait, the active chats. */
export async function queueGauges(db: Db): Promise<{ waitingByPriority: Map<string, number>; longestWaitSeconds: number; active: number }> {
  const rows = await execRows<{ priority: string; n: number }>(db, sql`select priority, count(*)::int as n from conversations where state in ('waiting','offered') group by priority`);
  const [w] = await execRows<{ s: number | null }>(db, sql`select extract(epoch from (now() - min(enqueued_at)))::float8 as s from conversations where state in ('waiting','offered')`);
  const [a] = await execRows<{ n: number }>(db, sql`select count(*)::int as n from conversations where state = 'active'`);
  return { waitingByPriority: new Map(rows.map((r) => [r.priority, r.n])), longestWaitSeconds: Math.max(0, Math.round(w?.s ?? 0)), active: a?.n ?? 0 };
}
