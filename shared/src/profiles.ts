// Centre profiles: one deployment serves one centre, and a profile fills its country's defaults
// (languages, time zone, holidays, phone line, referral institutions, police unit, INHOPE routing, risk
// words). Applying one adds and sets; it never deletes anything, and everything stays editable.
import type { Language } from './domain.js';

export const CENTRE_PROFILES = ['bg', 'sr', 'neutral'] as const;
export type CentreProfileId = (typeof CENTRE_PROFILES)[number];

/** Where the hotline forwards: the country whose content goes to the national police unit, and that unit. */
export interface HotlineRouting {
  /** ISO 3166-1 alpha-2 of the centre's country ('' when none): content hosted here goes to the police. */
  countryCode: string;
  /** The national police (or prosecution) unit suggested for a police forwarding. */
  policeUnit: string;
  /** This country's own INHOPE member hotline (not a forwarding target from here), or ''. */
  nationalMemberCode: string;
}

export interface CentreProfileSummary {
  id: CentreProfileId;
  languages: Language[];
  defaultLanguage: Language;
  timeZone: string;
  phoneLine: string;
  institutions: number;
  routing: HotlineRouting;
}

export interface CentreProfileState {
  /** The profile last applied, or null when none was (an older installation). */
  current: CentreProfileId | null;
  appliedAt: string | null;
  profiles: CentreProfileSummary[];
}
