// Read-only queries behind the supervisors' live board. Each reads only the open part of the data
// through partial/range indexes: the queue (waiting/offered), the live chats (active/wrapup), the staff,
// and today's answered/abandoned contacts (a range on first_accepted_at / ended_at). None of them grows
// with the history of the centre, so the board stays cheap however many closed conversations exist.
import { sql } from 'drizzle-orm';
import { CONVERSATION_CHANNELS, PRIORITIES } from '@helpline/shared';
import type {
  AgentStatus,
  BoardAgentState,
  BoardChannelQueue,
  BoardCounsellor,
  BoardLive,
  BoardQueueGroup,
  BoardSnapshot,
  BoardWaiting,
  ConversationChannel,
  Language,
  Priority,
  StaffRole,
  Topic,
} from '@helpline/shared';
import type { DbOrTx } from '../db/client.js';
import { execRows } from '../db/client.js';
import { slots } from './core.js';

const WAITING_LIST_MAX = 100;
const LIVE_LIST_MAX = 200;

interface WaitingRow {
  id: string;
  channel: ConversationChannel;
  state: 'waiting' | 'offered';
  priority: Priority;
  language: Language | null;
  topic: Topic | null;
  enqueued_at: Date | string;
  risk: boolean;
  overflow: boolean;
  offered_to: string | null;
  reserved_for: string | null;
}

interface StaffRow {
  id: string;
  name: string;
  role: StaffRole;
  capacity: number;
  languages: Language[] | string | null;
  topics: Topic[] | string | null;
  status: AgentStatus | null;
  load: number | null;
  wrapup_until: Date | string | null;
  status_changed_at: Date | string | null;
  disconnected_at: Date | string | null;
}

interface LiveRow {
  id: string;
  state: 'active' | 'wrapup';
  priority: Priority;
  language: Language | null;
  topic: Topic | null;
  staff_id: string | null;
  staff_name: string | null;
  accepted_at: Date | string | null;
  risk: boolean;
  help: boolean;
}

const toDate = (v: Date | string): Date => (v instanceof Date ? v : new Date(v));
const iso = (v: Date | string | null): string | null => (v === null ? null : toDate(v).toISOString());
/** postgres.js returns text[] as arrays; PGlite may return the literal. */
const arr = <T>(v: T[] | string | null): T[] =>
  Array.isArray(v) ? v : typeof v === 'string' && v.length > 2 ? (v.slice(1, -1).split(',') as T[]) : [];

export async function waitingRows(db: DbOrTx): Promise<WaitingRow[]> {
  return execRows<WaitingRow>(
    db,
    sql`select c.id, c.channel, c.state, c.priority, c.language, c.topic, c.enqueued_at,
               (c.risk_flagged_at is not null) as risk, c.overflow, a.staff_id as offered_to,
               (select r.name from staff_users r where r.id = c.reserved_for_staff_id and c.reserved_until > now()) as reserved_for
        from conversations c
        left join assignments a on a.conversation_id = c.id and a.status = 'offered'
        where c.state in ('waiting', 'offered')
        order by c.priority_rank, c.enqueued_at`,
  );
}

export async function staffRows(db: DbOrTx): Promise<StaffRow[]> {
  return execRows<StaffRow>(
    db,
    sql`select s.id, s.name, s.role, s.capacity, s.languages, s.topics,
               a.status, a.load, a.wrapup_until, a.status_changed_at, a.disconnected_at
        from staff_users s
        left join agent_states a on a.staff_id = s.id
        where s.disabled_at is null and s.role in ('counsellor', 'supervisor')
        order by s.name`,
  );
}

export async function liveRows(db: DbOrTx): Promise<LiveRow[]> {
  return execRows<LiveRow>(
    db,
    sql`select c.id, c.state, c.priority, c.language, c.topic, c.assigned_staff_id as staff_id, s.name as staff_name,
               c.accepted_at, (c.risk_flagged_at is not null) as risk, (c.help_requested_at is not null) as help
        from conversations c
        left join staff_users s on s.id = c.assigned_staff_id
        where c.state in ('active', 'wrapup')
        order by c.accepted_at nulls last`,
  );
}

export interface TodayFigures {
  answered: number;
  answeredWithinTarget: number;
  abandoned: number;
  asaSeconds: number | null;
  avgHandleSeconds: number | null;
}

/** Answered and abandoned since `since` (range scans on first_accepted_at and ended_at). */
export async function todayFigures(db: DbOrTx, since: Date, targetSeconds: number): Promise<TodayFigures> {
  const [a] = await execRows<{ answered: number; within: number; asa: number | null; aht: number | null }>(
    db,
    sql`select count(*)::int as answered,
               count(*) filter (where first_accepted_at <= enqueued_at + make_interval(secs => ${targetSeconds}))::int as within,
               avg(extract(epoch from (first_accepted_at - enqueued_at)))::float8 as asa,
               avg(extract(epoch from (ended_at - accepted_at))) filter (where ended_at is not null and accepted_at is not null)::float8 as aht
        from conversations where first_accepted_at >= ${since.toISOString()}`,
  );
  const [b] = await execRows<{ abandoned: number }>(
    db,
    sql`select count(*)::int as abandoned from conversations
        where ended_at >= ${since.toISOString()} and state = 'abandoned' and first_accepted_at is null`,
  );
  return {
    answered: a?.answered ?? 0,
    answeredWithinTarget: a?.within ?? 0,
    abandoned: b?.abandoned ?? 0,
    asaSeconds: a?.asa === null || a?.asa === undefined ? null : Math.round(a.asa),
    avgHandleSeconds: a?.aht === null || a?.aht === undefined ? null : Math.round(a.aht),
  };
}

/** Midnight of `now`'s calendar day in `timeZone`, as an instant. */
export function startOfDay(now: Date, timeZone: string): Date {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const p = (t: string) => Number(parts.find((x) => x.type === t)?.value ?? 0);
  const localAsUtc = Date.UTC(p('year'), p('month') - 1, p('day'), p('hour'), p('minute'), p('second'));
  const offsetMs = localAsUtc - Math.floor(now.getTime() / 1000) * 1000;
  return new Date(Date.UTC(p('year'), p('month') - 1, p('day')) - offsetMs);
}

function boardState(r: StaffRow, now: Date): BoardAgentState {
  const status = r.status ?? 'offline';
  const load = r.load ?? 0;
  if (status === 'offline') return load > 0 ? 'busy' : 'offline';
  if (status === 'away') return load > 0 ? 'busy' : 'away';
  if (load > 0) return 'busy';
  if (r.wrapup_until && toDate(r.wrapup_until) > now) return 'wrapup';
  return 'available';
}

/** When the board state began: status and load crossing 0 stamp status_changed_at; a wrap-up ends by itself. */
function stateSince(r: StaffRow, state: BoardAgentState, now: Date): Date {
  let since = r.status_changed_at ? toDate(r.status_changed_at) : now;
  if (state !== 'busy' && state !== 'wrapup' && r.wrapup_until) {
    const ended = toDate(r.wrapup_until);
    if (ended <= now && ended > since) since = ended;
  }
  return since > now ? now : since;
}

export interface SnapshotInput {
  now: Date;
  dayStart: Date;
  targetSeconds: number;
  /** Each channel's service-level target (setting `channelTargets`). */
  channelTargets: Record<ConversationChannel, number>;
  leaveMessageOnly: boolean;
  /** Leave-a-message figures, from the widget feature's inbox. */
  offlineMessages: BoardSnapshot['offlineMessages'];
}

/** The whole board in four indexed queries. */
export async function boardSnapshot(db: DbOrTx, input: SnapshotInput): Promise<BoardSnapshot> {
  const { now } = input;
  const [waiting, staff, live, today] = await Promise.all([
    waitingRows(db),
    staffRows(db),
    liveRows(db),
    todayFigures(db, input.dayStart, input.targetSeconds),
  ]);
  const secs = (d: Date | string) => Math.max(0, Math.round((now.getTime() - toDate(d).getTime()) / 1000));

  const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;
  const groups = new Map<string, BoardQueueGroup>();
  let longest = 0;
  const list: BoardWaiting[] = [];
  const byChannel = new Map<ConversationChannel, BoardChannelQueue>();
  for (const w of waiting) {
    const wait = secs(w.enqueued_at);
    const ch = byChannel.get(w.channel);
    if (ch) {
      ch.waiting++;
      ch.oldestWaitSeconds = Math.max(ch.oldestWaitSeconds, wait);
    } else byChannel.set(w.channel, { channel: w.channel, waiting: 1, oldestWaitSeconds: wait, targetSeconds: input.channelTargets[w.channel] });
    byPriority[w.priority] = (byPriority[w.priority] ?? 0) + 1;
    longest = Math.max(longest, wait);
    const key = `${w.language ?? ''}|${w.topic ?? ''}|${w.priority}`;
    const g = groups.get(key);
    if (g) {
      g.count++;
      g.longestWaitSeconds = Math.max(g.longestWaitSeconds, wait);
    } else groups.set(key, { language: w.language, topic: w.topic, priority: w.priority, count: 1, longestWaitSeconds: wait });
    if (list.length < WAITING_LIST_MAX) {
      list.push({
        id: w.id,
        state: w.state,
        priority: w.priority,
        language: w.language,
        topic: w.topic,
        enqueuedAt: iso(w.enqueued_at)!,
        waitSeconds: wait,
        riskFlagged: Boolean(w.risk),
        overflow: Boolean(w.overflow),
        offeredTo: w.offered_to,
        reservedFor: w.reserved_for,
      });
    }
  }

  const byState: Record<BoardAgentState, number> = { available: 0, busy: 0, wrapup: 0, away: 0, offline: 0 };
  let freeCapacity = 0;
  const counsellors: BoardCounsellor[] = staff.map((r) => {
    const state = boardState(r, now);
    byState[state]++;
    if (r.status === 'available') freeCapacity += r.capacity;
    return {
      staffId: r.id,
      name: r.name,
      role: r.role,
      state,
      status: r.status ?? 'offline',
      load: slots(r.load ?? 0),
      capacity: r.capacity,
      languages: arr(r.languages),
      topics: arr(r.topics),
      since: stateSince(r, state, now).toISOString(),
      wrapupUntil: r.wrapup_until && toDate(r.wrapup_until) > now ? iso(r.wrapup_until) : null,
      connected: (r.status ?? 'offline') !== 'offline' && !r.disconnected_at,
    };
  });

  const active = live.filter((l) => l.state === 'active');
  const liveList: BoardLive[] = active.slice(0, LIVE_LIST_MAX).map((l) => ({
    id: l.id,
    priority: l.priority,
    language: l.language,
    topic: l.topic,
    staffId: l.staff_id,
    staffName: l.staff_name,
    acceptedAt: iso(l.accepted_at),
    durationSeconds: l.accepted_at ? secs(l.accepted_at) : 0,
    riskFlagged: Boolean(l.risk),
    helpRequested: Boolean(l.help),
  }));

  // Same rule of thumb as the widget's estimate: queue length over online capacity, times half a chat.
  const avgHandle = today.avgHandleSeconds ?? 300;
  const estimatedWaitSeconds = freeCapacity > 0 ? Math.round((Math.ceil((waiting.length + 1) / freeCapacity) * avgHandle) / 2 + 5) : null;
  const decided = today.answered + today.abandoned;

  return {
    at: now.toISOString(),
    offlineMessages: input.offlineMessages,
    waiting: {
      total: waiting.length,
      byPriority,
      groups: [...groups.values()].sort((a, b) => PRIORITIES.indexOf(a.priority) - PRIORITIES.indexOf(b.priority) || b.count - a.count),
      longestWaitSeconds: longest,
      estimatedWaitSeconds: waiting.length === 0 && freeCapacity > 0 ? 0 : estimatedWaitSeconds,
      byChannel: CONVERSATION_CHANNELS.flatMap((c) => byChannel.get(c) ?? []),
      list,
    },
    counsellors,
    byState,
    live: { total: active.length, inWrapup: live.length - active.length, list: liveList },
    today: {
      since: input.dayStart.toISOString(),
      answered: today.answered,
      abandoned: today.abandoned,
      asaSeconds: today.asaSeconds,
      serviceLevel: {
        targetSeconds: input.targetSeconds,
        answeredWithinTarget: today.answeredWithinTarget,
        share: decided > 0 ? Math.round((today.answeredWithinTarget / decided) * 1000) / 1000 : null,
      },
    },
    surge: { leaveMessageOnly: input.leaveMessageOnly },
  };
}

/** Waiting conversations past an alert threshold (for 'long_wait' alerts). */
export function overdueWaits(s: BoardSnapshot, urgentAfter: number, anyAfter: number): string[] {
  return s.waiting.list.filter((w) => (w.priority === 'urgent' && w.waitSeconds >= urgentAfter) || w.waitSeconds >= anyAfter).map((w) => w.id);
}

/** The open offer of a conversation to one counsellor, if any (a supervisor's takeover accepts it). */
export async function liveOfferFor(db: DbOrTx, conversationId: string, staffId: string): Promise<string | null> {
  const rows = await execRows<{ id: string }>(
    db,
    sql`select id from assignments where conversation_id = ${conversationId} and staff_id = ${staffId} and status = 'offered'`,
  );
  return rows[0]?.id ?? null;
}

/** Enqueue → latest offer of the conversations offered in the last 5 minutes: p50 and p95 in seconds (for /metrics). */
export async function offerWaitQuantiles(db: DbOrTx): Promise<{ p50: number | null; p95: number | null }> {
  const [r] = await execRows<{ p50: number | null; p95: number | null }>(
    db,
    sql`select percentile_cont(0.5) within group (order by w)::float8 as p50, percentile_cont(0.95) within group (order by w)::float8 as p95
        from (select extract(epoch from (a.offered_at - c.enqueued_at)) as w from assignments a join conversations c on c.id = a.conversation_id
              where a.offered_at > now() - interval '5 minutes' and c.enqueued_at is not null) x`,
  );
  return r ?? { p50: null, p95: null };
}
