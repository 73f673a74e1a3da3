// The centre profiles' data. Institutions are public bodies with their public lines only (no person).
// DATA TO MAINTAIN: check names and numbers yearly against the bodies' own sites.
import type { CentreProfileId, HotlineRouting, InstitutionInput, Language } from '@helpline/shared';
import { DEFAULT_INSTITUTIONS } from '../referrals/defaults.js';
import type { HolidayCountry } from './holidays.js';

export interface CentreProfile {
  id: CentreProfileId;
  languages: Language[];
  defaultLanguage: Language;
  timeZone: string;
  /** Country whose public holidays apply, or null (none seeded). */
  holidays: HolidayCountry | null;
  phoneLine: string;
  institutions: InstitutionInput[];
  routing: HotlineRouting;
}

const SERBIA_INSTITUTIONS: InstitutionInput[] = [
  { name: 'Посебно тужилаштво за високотехнолошки криминал', kind: 'police' },
  { name: 'Министарство унутрашњих послова: Служба за борбу против високотехнолошког криминала', kind: 'police' },
  { name: 'Полиција (192)', kind: 'police' },
  { name: 'Министарство просвете', kind: 'ministry' },
  { name: 'Министарство за рад, запошљавање, борачка и социјална питања', kind: 'social-services' },
  { name: 'Центар за социјални рад', kind: 'social-services' },
  { name: 'Министарство здравља', kind: 'health' },
  { name: 'Хитна медицинска помоћ (194)', kind: 'health' },
  { name: 'Школски психолог / педагог', kind: 'education' },
  { name: 'Национална дечја линија 116 111', kind: 'ngo' },
];

const NEUTRAL_INSTITUTIONS: InstitutionInput[] = [
  { name: 'National police: cybercrime unit', kind: 'police' },
  { name: 'Child protection services', kind: 'child-protection' },
  { name: 'Ministry of Education', kind: 'ministry' },
  { name: 'Ministry of Health', kind: 'health' },
  { name: 'Emergency services (112)', kind: 'health' },
  { name: 'Child helpline 116 111', kind: 'ngo' },
];

export const CENTRE_PROFILE_DATA: Record<CentreProfileId, CentreProfile> = {
  bg: {
    id: 'bg',
    languages: ['bg', 'en'],
    defaultLanguage: 'bg',
    timeZone: 'Europe/Sofia',
    holidays: 'BG',
    phoneLine: '124 123',
    institutions: DEFAULT_INSTITUTIONS,
    routing: { countryCode: 'BG', policeUnit: 'Cybercrime Directorate (GDBOP), Ministry of Interior', nationalMemberCode: 'bg-safenet' },
  },
  sr: {
    id: 'sr',
    languages: ['sr-Cyrl', 'sr-Latn', 'en'],
    defaultLanguage: 'sr-Cyrl',
    timeZone: 'Europe/Belgrade',
    holidays: 'RS',
    phoneLine: '19833',
    institutions: SERBIA_INSTITUTIONS,
    routing: { countryCode: 'RS', policeUnit: 'Посебно тужилаштво за високотехнолошки криминал', nationalMemberCode: 'rs-net-patrola' },
  },
  neutral: {
    id: 'neutral',
    languages: ['en'],
    defaultLanguage: 'en',
    timeZone: 'UTC',
    holidays: null,
    phoneLine: '',
    institutions: NEUTRAL_INSTITUTIONS,
    routing: { countryCode: '', policeUnit: '', nationalMemberCode: '' },
  },
};
