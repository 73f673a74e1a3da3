// What the counsellors' sockets received during `pnpm bench routing`, and the checks made from that
// alone, not from Postgres (whose unique index makes a second live assignment impossible to write, so
// querying it proves nothing): a conversation offered to a second counsellor while an earlier offer of
// it is still live, a conversation held by two at once, a counsellor holding more than their capacity
// (offers included), and an offer of a conversation its counsellor had already ended.
//
// Capacity is counted in weights, as the server does (docs/channels.md): each offer reserves its
// channel's weight in hundredths of a slot (the offer names its channel; the weights are the centre's
// setting, given to the ledger), a phone call reserves the whole capacity (exclusive), and an offer
// that does not fit in `capacity * 100` is a violation.
//
// Times are the caller's clock (performance.now()). An offer stops being live when the counsellor
// sends its decline or its end (the server cannot act on it before receiving it), or when the server's
// revocation (or a refused accept) arrives. That last kind of end reaches the counsellor late: a second
// offer of the conversation may reach another socket before the first counsellor hears theirs is over.
// Such a second offer is a suspect, and `finish()` asks the caller whether the first offer had ended
// before the second was made (the bench reads the two rows' times in Postgres, which holds them
// whatever its unique index allows): if not, it is a double offer.

export type ReleaseHow = 'declined' | 'ended' | 'revoked' | 'refused';

/** The channels' weights in hundredths of a slot (setting `channelWeights`); unnamed ones weigh 100. */
export type LedgerWeights = Partial<Record<string, number>>;

interface Engagement {
  offerId: string;
  staffId: string;
  conversationId: string;
  held: boolean;
  /** Hundredths of a slot this offer took from its counsellor. */
  reserved: number;
}

export interface LedgerCounts {
  doubleOffers: number;
  heldByTwo: number;
  capacityViolations: number;
  offersAfterEnd: number;
  /** Second offers made after the first had ended, whose end the first counsellor heard late (no failure). */
  lateEnds: number;
}

/** A second offer that arrived while the first was still live as far as its counsellor knew. */
export interface Suspect {
  first: string;
  second: string;
}

export class Ledger {
  private readonly engagements = new Map<string, Engagement>();
  private readonly liveByConversation = new Map<string, Set<string>>();
  private readonly holders = new Map<string, Set<string>>();
  /** Hundredths of a slot in use per counsellor. */
  private readonly usage = new Map<string, number>();
  /** Since when a counsellor has had a free slot without a break (null: full). */
  private readonly freeSince = new Map<string, number | null>();
  private readonly ended = new Set<string>();
  private readonly suspects: Suspect[] = [];
  private counts: LedgerCounts = { doubleOffers: 0, heldByTwo: 0, capacityViolations: 0, offersAfterEnd: 0, lateEnds: 0 };
  private busySlots = 0;

  constructor(private readonly opts: { capacity: number; weights?: LedgerWeights }) {}

  /** What an offer of `channel` reserves, as the server's offer statement computes it. */
  private reservation(channel: string): number {
    const full = this.opts.capacity * 100;
    const w = this.opts.weights?.[channel] ?? 100;
    return channel === 'phone' ? Math.max(w, full) : w;
  }

  /** A counsellor starts taking chats at `at`, with nothing held. */
  register(staffId: string, at: number): void {
    this.usage.set(staffId, 0);
    this.freeSince.set(staffId, at);
  }

  /** Slots used by offers live plus conversations held, over all counsellors (weights: an e-mail 0.25). */
  busy(): number {
    return this.busySlots / 100;
  }

  /**
   * An `offer:new` arrived (of a conversation of `channel`). Returns since when the counsellor had a
   * free slot (the moment the offer became possible, for latency), or null when it did not fit (a
   * capacity violation).
   */
  offered(staffId: string, offerId: string, conversationId: string, at: number, channel = 'chat'): number | null {
    if (this.ended.has(conversationId)) this.counts.offersAfterEnd++;
    const same = this.engagements.get(offerId);
    if (same && same.staffId !== staffId) {
      // One offer reaching a second counsellor: offered to two at once, whatever happens next.
      this.counts.doubleOffers++;
      return null;
    }
    for (const first of this.liveByConversation.get(conversationId) ?? []) {
      if (first !== offerId) this.suspects.push({ first, second: offerId });
    }
    const used = this.usage.get(staffId) ?? 0;
    const reserved = this.reservation(channel);
    const free = used + reserved <= this.opts.capacity * 100 ? (this.freeSince.get(staffId) ?? at) : null;
    if (free === null) this.counts.capacityViolations++;
    this.engagements.set(offerId, { offerId, staffId, conversationId, held: false, reserved });
    let live = this.liveByConversation.get(conversationId);
    if (!live) this.liveByConversation.set(conversationId, (live = new Set()));
    live.add(offerId);
    this.setUsage(staffId, used + reserved, at);
    return free;
  }

  /** The counsellor's accept was acknowledged: the offer became a conversation they hold. */
  accepted(offerId: string): void {
    const e = this.engagements.get(offerId);
    if (e) e.held = true;
  }

  /** `conversation:assigned` arrived at this counsellor. */
  assigned(staffId: string, conversationId: string): void {
    let h = this.holders.get(conversationId);
    if (!h) this.holders.set(conversationId, (h = new Set()));
    h.add(staffId);
    if (h.size > 1) this.counts.heldByTwo++;
  }

  /** The offer or the conversation it became is no longer this counsellor's. */
  released(offerId: string, at: number, how: ReleaseHow): void {
    const e = this.engagements.get(offerId);
    if (!e) return;
    this.engagements.delete(offerId);
    this.liveByConversation.get(e.conversationId)?.delete(offerId);
    this.holders.get(e.conversationId)?.delete(e.staffId);
    if (how === 'ended') this.ended.add(e.conversationId);
    this.setUsage(e.staffId, (this.usage.get(e.staffId) ?? e.reserved) - e.reserved, at);
  }

  /** `conversation:removed` arrived: whatever this counsellor held of it is gone. */
  removed(staffId: string, conversationId: string, at: number): void {
    for (const id of [...(this.liveByConversation.get(conversationId) ?? [])]) {
      if (this.engagements.get(id)?.staffId === staffId) this.released(id, at, 'revoked');
    }
  }

  /** Second offers to settle with `endedBefore` in `finish()`. */
  pending(): readonly Suspect[] {
    return this.suspects;
  }

  /**
   * The counts. A suspect is a double offer unless the first offer had ended before the second was
   * made (`endedBefore`, from the server's record of both).
   */
  finish(endedBefore: (s: Suspect) => boolean): LedgerCounts {
    for (const s of this.suspects) {
      if (endedBefore(s)) this.counts.lateEnds++;
      else this.counts.doubleOffers++;
    }
    this.suspects.length = 0;
    return { ...this.counts };
  }

  private setUsage(staffId: string, used: number, at: number): void {
    const before = this.usage.get(staffId) ?? 0;
    this.usage.set(staffId, used);
    this.busySlots += used - before;
    const full = this.opts.capacity * 100;
    if (used >= full) this.freeSince.set(staffId, null);
    else if (before >= full) this.freeSince.set(staffId, at);
  }
}
