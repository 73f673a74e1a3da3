// The routing benchmark's own checks (server/bench/routing-ledger.ts) must be able to fail: each case
// feeds the ledger what counsellors' sockets would receive and expects the count to move.
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../bench/routing-ledger.js';

const never = () => false;

describe('routing bench ledger', () => {
  it('counts nothing for offers that follow each other', () => {
    const l = new Ledger({ capacity: 2 });
    l.register('a', 0);
    l.register('b', 0);
    l.offered('a', 'o1', 'c1', 1);
    l.released('o1', 2, 'declined');
    l.offered('b', 'o2', 'c1', 3);
    l.accepted('o2');
    l.assigned('b', 'c1');
    l.released('o2', 9, 'ended');
    expect(l.finish(never)).toEqual({ doubleOffers: 0, heldByTwo: 0, capacityViolations: 0, offersAfterEnd: 0, lateEnds: 0 });
    expect(l.busy()).toBe(0);
  });

  it('counts a conversation offered to a second counsellor while the first offer is live', () => {
    const l = new Ledger({ capacity: 2 });
    l.register('a', 0);
    l.register('b', 0);
    l.offered('a', 'o1', 'c1', 1);
    l.offered('b', 'o2', 'c1', 2);
    expect(l.finish(never).doubleOffers).toBe(1);
  });

  it('counts a second offer of a conversation held by its counsellor, and two holders', () => {
    const l = new Ledger({ capacity: 2 });
    l.register('a', 0);
    l.register('b', 0);
    l.offered('a', 'o1', 'c1', 1);
    l.accepted('o1');
    l.assigned('a', 'c1');
    l.offered('b', 'o2', 'c1', 2);
    l.accepted('o2');
    l.assigned('b', 'c1');
    const c = l.finish(never);
    expect(c.doubleOffers).toBe(1);
    expect(c.heldByTwo).toBe(1);
  });

  it('lets the server record settle a revocation that arrived after the next offer', () => {
    const l = new Ledger({ capacity: 2 });
    l.register('a', 0);
    l.register('b', 0);
    l.offered('a', 'o1', 'c1', 1);
    l.offered('b', 'o2', 'c1', 2);
    l.released('o1', 3, 'revoked');
    expect(l.pending()).toEqual([{ first: 'o1', second: 'o2' }]);
    expect(l.finish((s) => s.first === 'o1')).toMatchObject({ doubleOffers: 0, lateEnds: 1 });
  });

  it('counts a counsellor offered more than their capacity, and frees slots on end, decline and revocation', () => {
    const l = new Ledger({ capacity: 2 });
    l.register('a', 0);
    expect(l.offered('a', 'o1', 'c1', 1)).toBe(0);
    expect(l.offered('a', 'o2', 'c2', 2)).toBe(0);
    expect(l.offered('a', 'o3', 'c3', 3)).toBeNull();
    expect(l.busy()).toBe(3);
    l.released('o3', 4, 'revoked');
    l.released('o1', 5, 'ended');
    // Full until 5 (o3's revocation left it at capacity): free since then.
    expect(l.offered('a', 'o4', 'c4', 6)).toBe(5);
    l.released('o4', 7, 'declined');
    l.released('o2', 8, 'refused');
    expect(l.busy()).toBe(0);
    expect(l.finish(never).capacityViolations).toBe(1);
  });

  it('counts an offer of a conversation its counsellor already ended', () => {
    const l = new Ledger({ capacity: 1 });
    l.register('a', 0);
    l.register('b', 0);
    l.offered('a', 'o1', 'c1', 1);
    l.accepted('o1');
    l.released('o1', 2, 'ended');
    l.offered('b', 'o2', 'c1', 3);
    expect(l.finish(never)).toMatchObject({ offersAfterEnd: 1, doubleOffers: 0 });
  });
});
