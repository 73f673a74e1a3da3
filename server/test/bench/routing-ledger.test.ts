// The routing bench's checks, fed the events a faulty server would send: each must be counted.
import { describe, expect, it } from 'vitest';
import { Ledger } from '../../bench/routing-ledger.js';

function ledger(capacity = 2): Ledger {
  const l = new Ledger({ capacity });
  l.register('a', 0);
  l.register('b', 0);
  return l;
}

describe('routing bench ledger', () => {
  it('counts a conversation offered to a second counsellor while the first offer is live', () => {
    const l = ledger();
    l.offered('a', 'o1', 'c1', 1);
    l.offered('b', 'o2', 'c1', 2);
    expect(l.finish(() => false).doubleOffers).toBe(1);
  });

  it('does not count a second offer made after the first had ended on the server', () => {
    const l = ledger();
    l.offered('a', 'o1', 'c1', 1);
    l.offered('b', 'o2', 'c1', 2);
    const c = l.finish(() => true);
    expect(c.doubleOffers).toBe(0);
    expect(c.lateEnds).toBe(1);
  });

  it('counts one offer delivered to two counsellors', () => {
    const l = ledger();
    l.offered('a', 'o1', 'c1', 1);
    l.offered('b', 'o1', 'c1', 2);
    expect(l.finish(() => false).doubleOffers).toBe(1);
  });

  it('counts an offer beyond capacity, a conversation held by two, and an offer after the end', () => {
    const l = ledger(1);
    expect(l.offered('a', 'o1', 'c1', 1)).not.toBeNull();
    expect(l.offered('a', 'o2', 'c2', 2)).toBeNull();
    l.assigned('a', 'c3');
    l.assigned('b', 'c3');
    l.offered('b', 'o3', 'c4', 3);
    l.released('o3', 4, 'ended');
    l.offered('a', 'o4', 'c4', 5);
    const c = l.finish(() => true);
    expect(c.capacityViolations).toBeGreaterThanOrEqual(1);
    expect(c.heldByTwo).toBe(1);
    expect(c.offersAfterEnd).toBe(1);
  });

  it('counts capacity in weights: four e-mails fit one slot, a fifth or a chat beside them does not', () => {
    const l = new Ledger({ capacity: 1, weights: { chat: 100, email: 25, phone: 100 } });
    l.register('a', 0);
    for (let i = 1; i <= 4; i++) expect(l.offered('a', `e${i}`, `ce${i}`, i, 'email')).not.toBeNull();
    expect(l.busy()).toBe(1);
    expect(l.offered('a', 'e5', 'ce5', 5, 'email')).toBeNull();
    l.released('e5', 6, 'declined');
    l.released('e1', 7, 'ended');
    expect(l.offered('a', 'c1', 'cc1', 8, 'chat')).toBeNull();
    expect(l.finish(() => false).capacityViolations).toBe(2);
  });

  it('counts a phone call offered beside anything else, and anything offered beside a call', () => {
    const l = new Ledger({ capacity: 3, weights: { chat: 100, email: 25, phone: 100 } });
    l.register('a', 0);
    l.register('b', 0);
    expect(l.offered('a', 'e1', 'ce1', 1, 'email')).not.toBeNull();
    expect(l.offered('a', 'p1', 'cp1', 2, 'phone')).toBeNull();
    expect(l.offered('b', 'p2', 'cp2', 3, 'phone')).not.toBeNull();
    expect(l.offered('b', 'e2', 'ce2', 4, 'email')).toBeNull();
    l.released('p2', 5, 'ended');
    l.released('e2', 5, 'ended');
    expect(l.offered('b', 'c1', 'cc1', 6, 'chat')).not.toBeNull();
    expect(l.finish(() => false).capacityViolations).toBe(2);
    expect(l.busy()).toBeCloseTo(4.25);
  });
});
