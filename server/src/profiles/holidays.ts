// Public holidays of a profile's country for given years: fixed dates plus the Orthodox Easter days
// (both countries keep Good Friday to Easter Monday by the Julian computus). Days that move when a holiday
// falls on a weekend are decided by each government yearly: admins add those by hand.

/** Orthodox Easter Sunday (Gregorian date) of a year between 1900 and 2099. */
export function orthodoxEaster(year: number): Date {
  const a = year % 4;
  const b = year % 7;
  const c = year % 19;
  const d = (19 * c + 15) % 30;
  const e = (2 * a + 4 * b - d + 34) % 7;
  const month = Math.floor((d + e + 114) / 31);
  const day = ((d + e + 114) % 31) + 1;
  // Julian to Gregorian: 13 days in 1900-2099.
  return new Date(Date.UTC(year, month - 1, day + 13));
}

const iso = (d: Date) => d.toISOString().slice(0, 10);
const plusDays = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);

export type HolidayCountry = 'BG' | 'RS';

const FIXED: Record<HolidayCountry, string[]> = {
  // New Year, Liberation Day, Labour Day, St George's Day, Culture and Literacy Day, Unification, Independence, Christmas Eve and Christmas.
  BG: ['01-01', '03-03', '05-01', '05-06', '05-24', '09-06', '09-22', '12-24', '12-25', '12-26'],
  // New Year (two days), Orthodox Christmas, Statehood Day (two days), Labour Day (two days), Armistice Day.
  RS: ['01-01', '01-02', '01-07', '02-15', '02-16', '05-01', '05-02', '11-11'],
};

export function publicHolidays(country: HolidayCountry, years: readonly number[]): string[] {
  const out = new Set<string>();
  for (const y of years) {
    for (const md of FIXED[country]) out.add(`${y}-${md}`);
    const easter = orthodoxEaster(y);
    for (const n of [-2, -1, 0, 1]) out.add(iso(plusDays(easter, n)));
  }
  return [...out].sort();
}
