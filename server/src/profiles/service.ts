// Applying a centre profile: sets the settings it owns and adds its institutions, holidays and risk
// words to what is there. Nothing is deleted, so applying another profile later (or the same one again)
// loses no institution, holiday, risk word or record, and every value stays editable in the admin pages.
import { CENTRE_PROFILES, type CentreProfileId, type CentreProfileState } from '@helpline/shared';
import type { SettingsService } from '../settings/service.js';
import type { ReferralService } from '../referrals/service.js';
import type { AuditService } from '../audit/service.js';
import { DEFAULT_RISK_WORDS } from '../routing/risk.js';
import { CENTRE_PROFILE_DATA } from './definitions.js';
import { publicHolidays } from './holidays.js';
import { systemClock, type Clock } from '../infra/clock.js';

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

const yearIn = (timeZone: string, now: Date) => Number(new Intl.DateTimeFormat('en', { timeZone, year: 'numeric' }).format(now));

export function createProfileService(deps: { settings: SettingsService; referrals: ReferralService; audit: AuditService; clock?: Clock }) {
  const { settings } = deps;
  const clock = deps.clock ?? systemClock;
  return {
    async state(): Promise<CentreProfileState> {
      const p = await settings.get('profile');
      return {
        current: p.id,
        appliedAt: p.appliedAt,
        profiles: CENTRE_PROFILES.map((id) => {
          const d = CENTRE_PROFILE_DATA[id];
          return { id, languages: d.languages, defaultLanguage: d.defaultLanguage, timeZone: d.timeZone, phoneLine: d.phoneLine, institutions: d.institutions.length, routing: d.routing };
        }),
      };
    },

    /** Applies a profile; `actorId` null when the platform does it on first start. */
    async apply(id: CentreProfileId, actorId: string | null, now = new Date(clock.now())): Promise<CentreProfileState> {
      const d = CENTRE_PROFILE_DATA[id];
      await settings.set('widget', { languages: d.languages, defaultLanguage: d.defaultLanguage, ...(d.phoneLine ? { phoneLine: d.phoneLine } : {}) });
      const hours = await settings.get('hours');
      const year = yearIn(d.timeZone, now);
      const holidays = d.holidays ? publicHolidays(d.holidays, [year, year + 1]) : [];
      await settings.set('hours', { timeZone: d.timeZone, holidays: union(hours.holidays, holidays).sort() });
      const risk = await settings.get('riskWords');
      const lists = { ...risk };
      for (const l of d.languages) lists[l] = union(risk[l] ?? [], DEFAULT_RISK_WORDS[l] ?? []);
      await settings.set('riskWords', lists);
      await settings.set('hotlineRouting', d.routing);
      const added = await deps.referrals.addMissingInstitutions(d.institutions);
      await settings.set('profile', { id, appliedAt: now.toISOString(), holidayYears: d.holidays ? [year, year + 1] : [] });
      await deps.audit.record({ actorType: actorId ? 'staff' : 'system', actorId, action: 'settings.profile', targetType: 'settings', targetId: null, meta: { profile: id, institutionsAdded: added } });
      return this.state();
    },

    /**
     * Holidays roll over: adds the applied profile's public holidays of this year and next (in the centre's
     * time zone) for each year not added yet, and records the year. Never removes or changes a date, and
     * never adds a year twice, so what an admin deleted or added stays as they left it. Run at every start
     * and daily (profiles/routes.ts); idempotent, so several instances may run it. Returns the years added.
     */
    async rollOver(now = new Date(clock.now())): Promise<number[]> {
      const p = await settings.get('profile');
      if (p.id === null) return [];
      const d = CENTRE_PROFILE_DATA[p.id];
      if (!d.holidays) return [];
      const hours = await settings.get('hours');
      const year = yearIn(hours.timeZone, now);
      const done = new Set(p.holidayYears ?? []);
      // An installation that applied its profile before years were recorded: the years it was applied for.
      if (p.holidayYears === undefined && p.appliedAt) {
        const at = yearIn(hours.timeZone, new Date(p.appliedAt));
        done.add(at).add(at + 1);
      }
      const missing = [year, year + 1].filter((y) => !done.has(y));
      if (missing.length === 0) return [];
      await settings.set('hours', { holidays: union(hours.holidays, publicHolidays(d.holidays, missing)).sort() });
      await settings.set('profile', { holidayYears: [...done, ...missing].sort((a, b) => a - b) });
      await deps.audit.record({ actorType: 'system', actorId: null, action: 'settings.holidays', targetType: 'settings', targetId: null, meta: { profile: p.id, years: missing.join(',') } });
      return missing;
    },
  };
}
export type ProfileService = ReturnType<typeof createProfileService>;
