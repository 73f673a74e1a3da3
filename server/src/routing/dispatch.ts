// The atomic offer: one Postgres statement takes the best waiting conversation that has a free
// eligible counsellor, locks both rows, re-checks capacity under the lock, records the offer and moves
// the conversation to `offered`. A partial unique index forbids two live assignments of one conversation.
// Capacity counts weights (hundredths of a slot, docs/channels.md): a conversation fits when
// `load + its reservation <= capacity * 100`.
import { getTableColumns, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import { sqlParam, type Db, type RawQuery, type SqlParam, type Tx } from '../db/client.js';
import { execRows } from '../db/client.js';
import { conversations } from '../conversations/tables.js';

type ConversationRow = typeof conversations.$inferSelect;

/**
 * A counsellor who is online and taking chats (over `agent_states a join staff_users s`). One
 * definition for routing, the "service open" answer and the wait estimate.
 */
/** Available and connected (routing's own columns). */
export const agentPresent = sql`a.status = 'available' and a.disconnected_at is null`;
/** Present, and an enabled account that takes chats. */
export const agentOnline = sql`${agentPresent}
  and s.disabled_at is null and s.role in ('counsellor','supervisor')`;

/**
 * Online and able to receive some new offer now: not in wrap-up, some room left. Whether a given
 * conversation fits is `fits` (a counsellor with a quarter slot free takes an e-mail, not a chat).
 */
const agentFree = sql`${agentOnline}
  and (a.wrapup_until is null or a.wrapup_until <= now())
  and a.load < s.capacity * 100`;

/**
 * What conversation `c` adds to counsellor `s`'s load: its weight, but a phone call is exclusive and
 * reserves the counsellor's whole capacity. So a call is offered only to a counsellor holding nothing
 * (`load = 0` is the only load it fits), and while it is held nothing else fits. It lives in
 * `agent_states.load` alone, so the re-check under the counsellor's row lock covers it.
 */
const reservation = sql`(case when c.channel = 'phone' then greatest(c.weight, s.capacity * 100) else c.weight end)`;

/** Conversation `c` fits counsellor `a`/`s` now. */
const fits = sql`a.load + ${reservation} <= s.capacity * 100`;

/**
 * Conversation `c` may go to counsellor `a`: not reserved ("Queue for <name>" on a transfer), reserved
 * for her, or its reservation ran out. Only columns of rows already in hand: no extra probe.
 */
const reservedOk = sql`(c.reserved_for_staff_id is null or c.reserved_for_staff_id = a.staff_id or c.reserved_until <= now())`;

function eligible(declineCooldownMs: number) {
  return sql`${reservedOk}
    and (c.overflow or c.language is null or c.language = any(s.languages))
    and (c.overflow or c.topic is null or cardinality(s.topics) = 0 or c.topic = any(s.topics))
    and not exists (
      select 1 from assignments x
      where x.conversation_id = c.id and x.staff_id = a.staff_id
        and x.status in ('declined','expired','withdrawn')
        and x.responded_at > now() - make_interval(secs => ${declineCooldownMs / 1000}))`;
}

export type OfferResult =
  | {
      kind: 'offer';
      staffId: string;
      offerId: string;
      expiresAt: Date;
      conversation: ConversationRow;
      /**
       * Whether another conversation was waiting when this one was picked. When none was, the loop needs
       * no further pass: a conversation that starts waiting later kicks the loop itself.
       */
      moreWaiting: boolean;
    }
  | { kind: 'none' }
  | { kind: 'retry' };

/** A raw `conversations` row (snake_case, driver values) as drizzle would have returned it. */
export function conversationFromRaw(raw: Record<string, unknown>): ConversationRow {
  const out: Record<string, unknown> = {};
  for (const [key, col] of Object.entries(getTableColumns(conversations))) {
    const v = raw[col.name];
    out[key] = v === null || v === undefined ? null : col.mapFromDriverValue(v);
  }
  return out as ConversationRow;
}

/**
 * The offer statement for given timings: its text and parameters never change in a process, so it is
 * prepared once per connection and planned once (on the hot path's connections, where it can only
 * probe indexes) instead of being built and planned on every call of the dispatch loop.
 */
const offerStatements = new Map<string, { sql: string; params: SqlParam[] }>();
function offerStatement(offerTimeoutMs: number, declineCooldownMs: number): { sql: string; params: SqlParam[] } {
  const key = `${offerTimeoutMs}:${declineCooldownMs}`;
  let q = offerStatements.get(key);
  if (!q) {
    // The uncorrelated EXISTS is evaluated once: with nobody free (the usual case under load) the
    // queue is not scanned at all.
    const built = new PgDialect().sqlToQuery(
      sql`with pick as materialized (
            select c.id as conversation_id, pick.staff_id
            from conversations c
            cross join lateral (
              select a.staff_id from agent_states a join staff_users s on s.id = a.staff_id
              where ${agentFree} and ${fits} and ${eligible(declineCooldownMs)}
              order by (s.capacity * 100 - a.load) desc, a.idle_since asc
              limit 1
            ) pick
            where c.state = 'waiting'
              and exists (select 1 from agent_states a join staff_users s on s.id = a.staff_id where ${agentFree})
            order by c.priority_rank, c.enqueued_at
            limit 1
            for update of c
          ), agent as materialized (
            -- Re-checked on the latest row once locked: another instance may have filled them.
            select a.staff_id, ${reservation} as reserved
            from agent_states a join staff_users s on s.id = a.staff_id
              join conversations c on c.id = (select conversation_id from pick)
            where a.staff_id = (select staff_id from pick) and ${agentFree} and ${fits}
            for update of a
          ), offer as (
            insert into assignments (conversation_id, staff_id, status, expires_at, weight)
            select (select conversation_id from pick), staff_id, 'offered', now() + make_interval(secs => ${offerTimeoutMs / 1000}), reserved
            from agent
            returning id, expires_at
          ), moved as (
            update conversations set state = 'offered', reserved_for_staff_id = null, reserved_until = null
            where id = (select conversation_id from pick) and state = 'waiting' and exists (select 1 from agent)
            returning *
          ), counted as (
            update agent_states set load = load + (select reserved from agent), idle_since = now(),
              status_changed_at = case when load = 0 then now() else status_changed_at end
            where staff_id in (select staff_id from agent)
            returning staff_id
          )
          select (select count(*) from pick) as picked, (select staff_id from pick) as pick_staff_id,
            (select id from offer) as offer_id, (select expires_at from offer) as offer_expires_at,
            (select count(*) from (select 1 from conversations w where w.state = 'waiting' limit 2) w) as waiting_seen,
            moved.*
          from (select 1) as one left join moved on true`,
    );
    q = { sql: built.sql, params: built.params.map(sqlParam) };
    offerStatements.set(key, q);
  }
  return q;
}

/**
 * Offer one conversation if a pair exists, in ONE statement (one round trip, no explicit transaction):
 * take the best waiting conversation that has a free eligible counsellor FOR UPDATE; lock that
 * counsellor and re-check them under the lock (another instance may have filled them meanwhile; the
 * lock returns their latest row); then record the offer, move the conversation and count the load.
 * When the re-check fails nothing is written and the result is `retry`. The moved conversation comes
 * back with the result, so the offer can be sent without reading it again.
 */
export async function offerOne(query: RawQuery, opts: { offerTimeoutMs: number; declineCooldownMs: number }): Promise<OfferResult> {
  const q = offerStatement(opts.offerTimeoutMs, opts.declineCooldownMs);
  const rows = await query<
    Record<string, unknown> & { picked: number | string; offer_id: string | null; offer_expires_at: Date | string | null; pick_staff_id: string | null; waiting_seen: number | string }
  >(q.sql, q.params);
  const r = rows[0];
  if (!r || Number(r.picked) === 0) return { kind: 'none' };
  if (!r.offer_id || !r.id) return { kind: 'retry' };
  const conversation = conversationFromRaw(r);
  return { kind: 'offer', staffId: r.pick_staff_id!, offerId: r.offer_id, expiresAt: new Date(r.offer_expires_at!), conversation, moreWaiting: Number(r.waiting_seen) > 1 };
}

/** Whether any waiting conversation has a free eligible counsellor (no locks): used to decide re-kicks. */
export async function pairExists(db: Db, declineCooldownMs: number): Promise<boolean> {
  const rows = await execRows<{ one: number }>(
    db,
    sql`select 1 as one from conversations c
        where c.state = 'waiting' and exists (
          select 1 from agent_states a join staff_users s on s.id = a.staff_id
          where ${agentFree} and ${fits} and ${eligible(declineCooldownMs)})
        limit 1`,
  );
  return rows.length > 0;
}

/** An enabled counsellor or supervisor account (one a transfer may be reserved for, whatever her status). */
export async function takesChats(tx: Tx, staffId: string): Promise<boolean> {
  const rows = await execRows<{ id: string }>(tx, sql`select s.id from staff_users s where s.id = ${staffId} and s.disabled_at is null and s.role in ('counsellor','supervisor')`);
  return rows.length > 0;
}

/**
 * Offer a waiting conversation to one chosen counsellor (transfer, a supervisor's assignment): skills
 * are bypassed, capacity (weights, a call's exclusivity) and presence are not. Runs inside the caller's transaction.
 */
export async function offerTo(
  tx: Tx,
  conversationId: string,
  staffId: string,
  offerTimeoutMs: number,
  note: string | null,
): Promise<{ offerId: string; expiresAt: Date } | { refused: 'not_waiting' | 'unavailable' | 'at_capacity' }> {
  const conv = await execRows<{ id: string }>(tx, sql`select id from conversations where id = ${conversationId} and state = 'waiting' for update`);
  if (!conv[0]) return { refused: 'not_waiting' };
  const agent = await execRows<{ reserved: number; fits: boolean; status: string; disconnected: boolean; disabled: boolean }>(
    tx,
    sql`select ${reservation} as reserved, ${fits} as fits, a.status, a.disconnected_at is not null as disconnected, s.disabled_at is not null as disabled
        from agent_states a join staff_users s on s.id = a.staff_id join conversations c on c.id = ${conversationId}
        where a.staff_id = ${staffId} for update of a`,
  );
  const a = agent[0];
  if (!a || a.status === 'offline' || a.disconnected || a.disabled) return { refused: 'unavailable' };
  if (!a.fits) return { refused: 'at_capacity' };
  const expiresAt = new Date(Date.now() + offerTimeoutMs);
  const inserted = await execRows<{ id: string }>(
    tx,
    sql`insert into assignments (conversation_id, staff_id, status, expires_at, note, weight)
        values (${conversationId}, ${staffId}, 'offered', ${expiresAt.toISOString()}, ${note}, ${a.reserved}) returning id`,
  );
  await tx.execute(sql`update conversations set state = 'offered', reserved_for_staff_id = null, reserved_until = null where id = ${conversationId}`);
  await tx.execute(sql`update agent_states set load = load + ${a.reserved}, idle_since = now(),
    status_changed_at = case when load = 0 then now() else status_changed_at end where staff_id = ${staffId}`);
  return { offerId: inserted[0]!.id, expiresAt };
}
