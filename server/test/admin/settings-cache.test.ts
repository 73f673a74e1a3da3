// The settings cache on one instance: a change made here is what the next read here returns, even
// when a read that began before the change comes back after it (the supervisor's surge switch read
// false on the board for two seconds in CI, because the board's own read, in flight while the switch
// was written, cached the old value after the write had cleared it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSettingsService } from '../../src/settings/service.js';
import { startTestEnv, type TestEnv } from '../helpers.js';

let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv();
});
afterAll(async () => {
  await env?.close();
});

/** The real database, with the answer of the next settings read held back until `release()`. */
function holdingNextRead(db: any) {
  let hold = false;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const wrapped = new Proxy(db, {
    get(target, key) {
      if (key !== 'select' || !hold) return Reflect.get(target, key);
      hold = false;
      return (...a: unknown[]) => ({
        from: (...f: unknown[]) => ({
          where: (...w: unknown[]) => target.select(...a).from(...f).where(...w).then(async (rows: unknown) => {
            await gate;
            return rows;
          }),
        }),
      });
    },
  });
  return { db: wrapped, holdNext: () => (hold = true), release };
}

describe('settings cache', () => {
  it('never keeps a value read before its own write', async () => {
    const h = holdingNextRead(env.app.db);
    const settings = createSettingsService(h.db);
    h.holdNext();
    const early = settings.get('surge');
    await settings.set('surge', { leaveMessageOnly: true });
    h.release();
    expect(await early).toEqual({ leaveMessageOnly: false });
    expect(await settings.get('surge')).toEqual({ leaveMessageOnly: true });
  });
});
