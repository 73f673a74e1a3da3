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

const union = (a: readonly string[], b: readonly string[]) => [...new Set([...a, ...b])];

export function createProfileService(deps: { settings: SettingsService; referrals: ReferralService; audit: AuditService }) {
  const { settings } = deps;
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
    async apply(id: CentreProfileId, actorId: string | null, now = new Date()): Promise<CentreProfileState> {
      const d = CENTRE_PROFILE_DATA[id];
      await settings.set('widget', { languages: d.languages, defaultLanguage: d.defaultLanguage, ...(d.phoneLine ? { phoneLine: d.phoneLine } : {}) });
      const hours = await settings.get('hours');
      const year = Number(new Intl.DateTimeFormat('en', { timeZone: d.timeZone, year: 'numeric' }).format(now));
      const holidays = d.holidays ? publicHolidays(d.holidays, [year, year + 1]) : [];
      await settings.set('hours', { timeZone: d.timeZone, holidays: union(hours.holidays, holidays).sort() });
      const risk = await settings.get('riskWords');
      const lists = { ...risk };
      for (const l of d.languages) lists[l] = union(risk[l] ?? [], DEFAULT_RISK_WORDS[l] ?? []);
      await settings.set('riskWords', lists);
      await settings.set('hotlineRouting', d.routing);
      const added = await deps.referrals.addMissingInstitutions(d.institutions);
      await settings.set('profile', { id, appliedAt: now.toISOString() });
      await deps.audit.record({ actorType: actorId ? 'staff' : 'system', actorId, action: 'settings.profile', targetType: 'settings', targetId: null, meta: { profile: id, institutionsAdded: added } });
      return this.state();
    },
  };
}
export type ProfileService = ReturnType<typeof createProfileService>;
