// Public holidays roll over: a profile adds its country's holidays for this year and next, and each new
// year as the clock reaches it (at every start and in a daily job), never bringing back a holiday an admin
// deleted and never touching one an admin added.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { offsetClock } from '../../src/infra/clock.js';
import { settings } from '../../src/settings/tables.js';
import { startTestEnv, type TestEnv } from '../helpers.js';

const clock = offsetClock();
let env: TestEnv;
beforeAll(async () => {
  env = await startTestEnv({ CENTRE_PROFILE: 'sr' }, { clock });
});
afterAll(async () => {
  await env?.close();
});

const belgradeYear = (ms: number) => Number(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Belgrade', year: 'numeric' }).format(ms));
/** Moves the clock to 2 January (Belgrade) of the year after the clock's. */
function toNextYear(): number {
  const next = belgradeYear(clock.now()) + 1;
  clock.advance(Date.UTC(next, 0, 2, 12) - clock.now());
  return next;
}

describe('holiday rollover', () => {
  it('adds the next year when the year turns, keeping what an admin deleted deleted', async () => {
    const y = belgradeYear(clock.now());
    const hours = await env.app.settings.get('hours');
    expect(hours.holidays).toContain(`${y}-01-07`);
    expect(hours.holidays).toContain(`${y + 1}-01-07`);
    expect(hours.holidays.some((h) => h.startsWith(`${y + 2}-`))).toBe(false);
    expect((await env.app.settings.get('profile')).holidayYears).toEqual([y, y + 1]);
    // Nothing to add within the year.
    expect(await env.app.profiles.rollOver()).toEqual([]);

    // An admin deletes next year's Armistice Day and adds a day of their own.
    const edited = hours.holidays.filter((h) => h !== `${y + 1}-11-11`).concat(`${y + 1}-06-01`).sort();
    await env.app.settings.set('hours', { holidays: edited });

    const next = toNextYear();
    expect(next).toBe(y + 1);
    expect(await env.app.profiles.rollOver()).toEqual([y + 2]);
    const after = (await env.app.settings.get('hours')).holidays;
    expect(after).toEqual(expect.arrayContaining([`${y + 2}-01-01`, `${y + 2}-01-07`, `${y + 2}-11-11`, `${y + 1}-06-01`]));
    // Orthodox Easter Monday of the new year is there too.
    expect(after.filter((h) => h.startsWith(`${y + 2}-`)).length).toBe(12);
    expect(after).not.toContain(`${y + 1}-11-11`);
    expect((await env.app.settings.get('profile')).holidayYears).toEqual([y, y + 1, y + 2]);
    // Run again (another instance, the daily job): nothing changes.
    expect(await env.app.profiles.rollOver()).toEqual([]);
    expect((await env.app.settings.get('hours')).holidays).toEqual(after);
  });

  it('runs as the daily timers job', async () => {
    const y = toNextYear();
    await env.app.jobs.add('timers', 'holiday-rollover', {});
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !(await env.app.settings.get('hours')).holidays.includes(`${y + 1}-01-07`)) await new Promise((r) => setTimeout(r, 100));
    expect((await env.app.settings.get('hours')).holidays).toContain(`${y + 1}-01-07`);
    expect((await env.app.settings.get('profile')).holidayYears).toContain(y + 1);
  });

  it('counts the applied years of a profile applied before years were recorded', async () => {
    const y = belgradeYear(clock.now());
    const holidays = (await env.app.settings.get('hours')).holidays.filter((h) => h !== `${y + 1}-11-11`);
    await env.app.settings.set('hours', { holidays });
    await env.app.db.update(settings).set({ value: { id: 'sr', appliedAt: new Date(clock.now()).toISOString() } }).where(eq(settings.key, 'profile'));
    await new Promise((r) => setTimeout(r, 2_100)); // the settings cache
    expect((await env.app.settings.get('profile')).holidayYears).toBeUndefined();
    expect(await env.app.profiles.rollOver()).toEqual([]);
    expect((await env.app.settings.get('hours')).holidays).not.toContain(`${y + 1}-11-11`);
    toNextYear();
    expect(await env.app.profiles.rollOver()).toEqual([y + 2]);
    expect((await env.app.settings.get('profile')).holidayYears).toEqual([y, y + 1, y + 2]);
  });
});
